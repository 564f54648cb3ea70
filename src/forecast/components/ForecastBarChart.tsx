// The one module that imports Recharts: loaded on demand (React.lazy), so the board's first
// load never pays for the charting library.
import { Bar, BarChart, CartesianGrid, Cell, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatMoney } from '../../lib/format';
import type { ForecastRow } from '../model/build-forecast';

export interface ForecastBarChartProps {
  rows: ForecastRow[];
  currency: string;
  /** bars grow sideways (a funnel, a ranking) rather than upwards (a time line) */
  horizontal?: boolean;
  /** the card measures its width up front: ResponsiveContainer would first render empty and
   * only draw after its ResizeObserver reported, a frame or more later */
  width: number;
  height: number;
  onSelect?: (row: ForecastRow) => void;
}

const colors = {
  estimated: '#a5b4fc',
  weighted: '#4f46e5',
  overdueEstimated: '#fda4af',
  overdueWeighted: '#e11d48',
};

export function ForecastBarChart({
  rows,
  currency,
  horizontal,
  width,
  height,
  onSelect,
}: ForecastBarChartProps) {
  const money = (value: unknown) => formatMoney(Number(value), currency, true);
  const select = (index: number) => {
    const row = rows[index];
    if (row?.link) onSelect?.(row);
  };
  const categoryAxis = { dataKey: 'label', type: 'category' as const, tickLine: false, interval: 0 };
  const valueAxis = { type: 'number' as const, tickFormatter: money, tickLine: false, axisLine: false };
  return (
    <BarChart
      width={width}
      height={height}
      data={rows}
      layout={horizontal ? 'vertical' : 'horizontal'}
      margin={{ top: 4, right: 16, bottom: 0, left: horizontal ? 8 : 0 }}
      barGap={2}
      barCategoryGap={horizontal ? '22%' : '18%'}
      accessibilityLayer={false}
    >
      <CartesianGrid stroke="#e2e8f0" vertical={!horizontal} horizontal={!!horizontal === false} />
      {horizontal ? (
        <>
          <XAxis {...valueAxis} fontSize={11} stroke="#64748b" />
          <YAxis {...categoryAxis} width={150} fontSize={12} stroke="#334155" />
        </>
      ) : (
        <>
          <XAxis {...categoryAxis} fontSize={11} stroke="#334155" />
          <YAxis {...valueAxis} width={64} fontSize={11} stroke="#64748b" />
        </>
      )}
      <Tooltip
        cursor={{ fill: '#eef2ff' }}
        formatter={(value, name) => [formatMoney(Number(value), currency), name]}
        labelFormatter={(label, payload) => {
          const count = (payload?.[0]?.payload as ForecastRow | undefined)?.count;
          return count === undefined ? label : `${label} · ${count} ${count === 1 ? 'deal' : 'deals'}`;
        }}
      />
      <Legend iconType="square" iconSize={10} wrapperStyle={{ fontSize: 12 }} />
      {(['estimated', 'weighted'] as const).map((key) => (
        <Bar
          key={key}
          dataKey={key}
          name={key === 'estimated' ? 'Estimated' : 'Weighted'}
          fill={colors[key]}
          radius={horizontal ? [0, 3, 3, 0] : [3, 3, 0, 0]}
          onClick={(_, index) => select(index)}
          isAnimationActive={false}
        >
          {rows.map((row) => (
            <Cell
              key={row.key}
              cursor={row.link ? 'pointer' : 'default'}
              data-bar={`${row.label}: ${key}`}
              fill={
                row.kind === 'overdue'
                  ? colors[key === 'estimated' ? 'overdueEstimated' : 'overdueWeighted']
                  : colors[key]
              }
            />
          ))}
        </Bar>
      ))}
    </BarChart>
  );
}
