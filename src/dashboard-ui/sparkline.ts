// A trend line small enough for a table cell: plain canvas, no chart library per row.
export function sparkline(values: number[], width = 120, height = 28): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  canvas.className = 'sparkline';
  const ctx = canvas.getContext('2d');
  if (!ctx || values.length === 0) return canvas;
  ctx.scale(ratio, ratio);
  const max = Math.max(...values, 1);
  ctx.strokeStyle = '#2563eb';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = (i / Math.max(values.length - 1, 1)) * (width - 2) + 1;
    const y = height - 2 - (v / max) * (height - 4);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  return canvas;
}
