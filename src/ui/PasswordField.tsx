// A labelled password input: sign-in, and choosing or changing a password.
import type { Ref } from 'react';
import { Field, inputClass } from './Field';

export function PasswordField({
  label,
  value,
  onChange,
  autoComplete,
  error,
  hint,
  name,
  inputRef,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** current-password to sign in, new-password to choose one: password managers act on it */
  autoComplete: 'current-password' | 'new-password';
  error?: string;
  hint?: string;
  name?: string;
  inputRef?: Ref<HTMLInputElement>;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <input
          {...p}
          ref={inputRef}
          type="password"
          name={name}
          autoComplete={autoComplete}
          className={inputClass}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
