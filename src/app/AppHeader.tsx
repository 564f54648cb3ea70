// The header: the app's name, the pipeline (on the board and the forecast), the screens, and
// the signed-in person with sign-out. Below 1024 px wide everything but the name and the
// pipeline folds into a menu button, so every link stays reachable on a phone.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { SignedInPerson } from '../account/components/SignedInPerson';
import type { Person } from '../api/person';
import { navigate } from '../lib/url-state';
import { CloseIcon, KeyIcon, LogoIcon, MenuIcon, SettingsIcon, UsersIcon, WebhookIcon } from '../ui/icons';

export type Screen = 'board' | 'forecast' | 'settings' | 'tokens' | 'people' | 'webhooks' | 'welcome';

export function AppHeader({
  screen,
  keep,
  person,
  picker,
}: {
  screen: Screen;
  /** the query string the board and the forecast share (pipeline, filters) */
  keep: string;
  person: Person | null;
  picker?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [shownScreen, setShownScreen] = useState(screen);
  if (shownScreen !== screen) {
    // Another screen: the menu has done its job.
    setShownScreen(screen);
    setOpen(false);
  }
  const menuId = useId();
  const header = useRef<HTMLElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointerDown = (event: PointerEvent) => {
      if (!header.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('pointerdown', onPointerDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('pointerdown', onPointerDown);
    };
  }, [open]);

  const close = () => setOpen(false);
  return (
    <header ref={header} className="relative z-30 shrink-0 bg-slate-900 text-white">
      <div className="flex h-14 items-center gap-3 px-4 lg:gap-4">
        <a
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
          className="flex shrink-0 items-center gap-2 font-semibold tracking-tight"
        >
          <LogoIcon width={20} height={20} className="text-indigo-400" />
          Dealdeck
        </a>
        {picker && <div className="min-w-0">{picker}</div>}
        <div className="flex-1 lg:hidden" />
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={menuId}
          onClick={() => setOpen((v) => !v)}
          className="flex shrink-0 items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-200 ring-1 ring-slate-700 hover:bg-slate-800 hover:text-white focus-visible:outline-2 focus-visible:outline-indigo-400 lg:hidden"
        >
          {open ? <CloseIcon width={18} height={18} /> : <MenuIcon width={18} height={18} />}
          {/* the icon alone on a phone, where the pipeline's name needs the room */}
          <span className="sr-only sm:not-sr-only">Menu</span>
        </button>
        <div
          id={menuId}
          className={`${open ? 'flex' : 'hidden'} absolute inset-x-0 top-full flex-col gap-1 border-t border-slate-800 bg-slate-900 px-4 py-3 shadow-xl lg:static lg:flex lg:flex-1 lg:flex-row lg:items-center lg:gap-4 lg:border-0 lg:p-0 lg:shadow-none`}
        >
          <nav aria-label="Screens" className="flex flex-col gap-1 lg:flex-row lg:items-center">
            <ScreenLink href={`/${keep}`} current={screen === 'board'} onNavigate={close}>
              Board
            </ScreenLink>
            <ScreenLink href={`/forecast${keep}`} current={screen === 'forecast'} onNavigate={close}>
              Forecast
            </ScreenLink>
          </nav>
          <div className="hidden flex-1 lg:block" />
          <nav
            aria-label="Account and settings"
            className="flex flex-col gap-1 border-t border-slate-800 pt-2 lg:flex-row lg:items-center lg:border-0 lg:pt-0"
          >
            {person && (
              <ScreenLink href="/tokens" current={screen === 'tokens'} onNavigate={close} icon={<KeyIcon />}>
                Tokens
              </ScreenLink>
            )}
            {person?.role === 'admin' && (
              <ScreenLink
                href="/people"
                current={screen === 'people'}
                onNavigate={close}
                icon={<UsersIcon />}
              >
                People
              </ScreenLink>
            )}
            {person?.role === 'admin' && (
              <ScreenLink
                href="/webhooks"
                current={screen === 'webhooks'}
                onNavigate={close}
                icon={<WebhookIcon />}
              >
                Webhooks
              </ScreenLink>
            )}
            <ScreenLink
              href="/settings"
              current={screen === 'settings'}
              onNavigate={close}
              icon={<SettingsIcon />}
            >
              Settings
            </ScreenLink>
          </nav>
          {person && (
            <div className="border-t border-slate-800 pt-2 lg:border-0 lg:border-l lg:border-slate-700 lg:pt-0 lg:pl-4">
              <SignedInPerson person={person} />
            </div>
          )}
        </div>
      </div>
    </header>
  );
}

function ScreenLink({
  href,
  current,
  onNavigate,
  icon,
  children,
}: {
  href: string;
  current: boolean;
  onNavigate: () => void;
  icon?: ReactNode;
  children: string;
}) {
  return (
    <a
      href={href}
      onClick={(e) => {
        e.preventDefault();
        onNavigate();
        navigate(href);
      }}
      aria-current={current ? 'page' : undefined}
      title={icon ? children : undefined}
      className={`flex items-center gap-1.5 rounded-md px-2.5 py-2 text-sm font-medium whitespace-nowrap lg:py-1.5 ${
        current ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800 hover:text-white'
      }`}
    >
      {icon}
      {/* between 1024 and 1280 px the links with an icon show only it: the row would not fit */}
      {icon ? <span className="lg:max-xl:sr-only">{children}</span> : children}
    </a>
  );
}
