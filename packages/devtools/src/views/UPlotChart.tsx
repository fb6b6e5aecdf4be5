import { useEffect, useLayoutEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { theme } from '../theme'

/** Series colours that read on both themes. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#edc948', '#76b7b2', '#9c755f']

export interface ChartProps {
  title: string
  /** One label per y series; the chart is rebuilt when they change. */
  labels: string[]
  /** x (epoch seconds) then one array per label. */
  data: uPlot.AlignedData
  yLabel: string
  height?: number
  /** Charts with the same key share the cursor: hovering a second on one shows it on the others. */
  syncKey?: string
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

/** A uPlot chart that follows its container's width and the theme; a legend click hides a series, across rebuilds too. */
export function UPlotChart({ title, labels, data, yLabel, height = 220, syncKey }: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  const hidden = useRef(new Set<string>())
  const dark = theme.value === 'dark'

  useLayoutEffect(() => {
    const el = box.current!
    const axis = { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--border'), width: 1 }, ticks: { stroke: cssVar('--border') } }
    const series: uPlot.Series[] = [
      {},
      ...labels.map((label, i): uPlot.Series => {
        const color = PALETTE[i % PALETTE.length]!
        return { label, stroke: color, width: 1.5, show: !hidden.current.has(label), points: { show: false } }
      }),
    ]
    const u = new uPlot({
      title,
      width: el.clientWidth || 600,
      height,
      scales: { x: { time: true } },
      ...(syncKey !== undefined && { cursor: { sync: { key: syncKey } } }),
      axes: [axis, { ...axis, label: yLabel, size: 60 }],
      series,
      hooks: {
        setSeries: [(self, index) => {
          if (index === null) return
          const label = labels[index - 1]
          if (label === undefined) return
          if (self.series[index]?.show) hidden.current.delete(label)
          else hidden.current.add(label)
        }],
      },
    }, data, el)
    plot.current = u
    const observer = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }))
    observer.observe(el)
    return () => {
      observer.disconnect()
      u.destroy()
      plot.current = undefined
    }
  }, [labels.join('\u0000'), dark, height])

  useEffect(() => {
    plot.current?.setData(data)
  }, [data])

  return <div class="chart" ref={box} />
}
