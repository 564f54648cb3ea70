// The movement waterfall: the pipeline then, each kind of change as a floating bar from where
// the previous one ended, the pipeline now. Loaded on demand with Recharts (MovementSection).

import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney } from '../../lib/format';
import type { WaterfallStep } from '../model/build-movement';

export interface MovementWaterfallChartProps {
  steps: WaterfallStep[];
  currency: string;
  width: number;
  height: number;
  onSelect: (step: WaterfallStep) => void;
}

const colorOf = (step: WaterfallStep) =>
  step.key === 'then' || step.key === 'now' ? '#4f46e5' : step.amount >= 0 ? '#059669' : '#e11d48';

export function MovementWaterfallChart({
  steps,
  currency,
  width,
  height,
  onSelect,
}: MovementWaterfallChartProps) {
  const money = (value: unknown) => formatMoney(Number(value), currency, true);
  // a floating bar: an invisible bar up to its lower end, the visible one stacked on it
  // (only plain fields: Recharts reads some names of its own in a data row)
  const rows = useMemo(
    () =>
      steps.map((s) => ({
        label: s.label,
        base: Math.min(s.from, s.to),
        size: Math.abs(s.to - s.from),
        entry: s,
      })),
    [steps],
  );
  return (
    <BarChart
      width={width}
      height={height}
      data={rows}
      margin={{ top: 4, right: 16, bottom: 0, left: 0 }}
      barCategoryGap="18%"
      accessibilityLayer={false}
    >
      <CartesianGrid stroke="#e2e8f0" vertical={false} />
      <XAxis dataKey="label" type="category" tickLine={false} interval={0} fontSize={11} stroke="#334155" />
      <YAxis
        type="number"
        tickFormatter={money}
        tickLine={false}
        axisLine={false}
        width={64}
        fontSize={11}
        stroke="#64748b"
      />
      <Tooltip
        cursor={{ fill: '#eef2ff' }}
        formatter={(_value, name, item) => {
          if (name === 'base') return [];
          const step = (item.payload as { entry: WaterfallStep }).entry;
          return [
            formatMoney(step.amount, currency),
            step.key === 'then' || step.key === 'now' ? 'Weighted' : 'Change',
          ];
        }}
        labelFormatter={(label, payload) => {
          const step = (payload?.[0]?.payload as { entry: WaterfallStep } | undefined)?.entry;
          return step && step.deals.length > 0
            ? `${label} · ${step.deals.length} ${step.deals.length === 1 ? 'deal' : 'deals'}`
            : label;
        }}
      />
      <Bar dataKey="base" stackId="waterfall" fill="transparent" isAnimationActive={false} />
      <Bar
        dataKey="size"
        stackId="waterfall"
        radius={[3, 3, 3, 3]}
        isAnimationActive={false}
        onClick={(_, index) => onSelect(steps[index])}
        cursor="pointer"
      >
        {steps.map((step) => (
          <Cell key={step.key} fill={colorOf(step)} />
        ))}
      </Bar>
    </BarChart>
  );
}
