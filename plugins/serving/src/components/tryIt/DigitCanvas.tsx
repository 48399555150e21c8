import Box from '@material-ui/core/Box';
import { PointerEvent, RefObject, useEffect, useRef } from 'react';

const SIZE = 280;
const STROKE = 22;

export function clearCanvas(canvas: HTMLCanvasElement | null) {
  const context = canvas?.getContext('2d');
  if (!canvas || !context) return;
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
}

/** A black square to draw a digit on in white, with the mouse, a pen or a finger. */
export function DigitCanvas(props: {
  canvasRef: RefObject<HTMLCanvasElement>;
  onDrawn: () => void;
}) {
  const { canvasRef } = props;
  const last = useRef<{ x: number; y: number }>();

  useEffect(() => clearCanvas(canvasRef.current), [canvasRef]);

  function point(e: PointerEvent<HTMLCanvasElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    return {
      x: ((e.clientX - rect.left) / rect.width) * SIZE,
      y: ((e.clientY - rect.top) / rect.height) * SIZE,
    };
  }

  function drawTo(e: PointerEvent<HTMLCanvasElement>) {
    const context = e.currentTarget.getContext('2d');
    const to = point(e);
    if (context && last.current) {
      context.strokeStyle = '#fff';
      context.lineWidth = STROKE;
      context.lineCap = 'round';
      context.lineJoin = 'round';
      context.beginPath();
      context.moveTo(last.current.x, last.current.y);
      context.lineTo(to.x, to.y);
      context.stroke();
    }
    last.current = to;
  }

  return (
    <Box width={SIZE} maxWidth="100%">
      <canvas
        ref={canvasRef}
        width={SIZE}
        height={SIZE}
        aria-label="Draw a digit here"
        style={{
          width: '100%',
          aspectRatio: '1',
          background: '#000',
          touchAction: 'none',
          cursor: 'crosshair',
          borderRadius: 4,
        }}
        onPointerDown={e => {
          e.currentTarget.setPointerCapture?.(e.pointerId);
          last.current = point(e);
          drawTo(e);
        }}
        onPointerMove={e => {
          if (last.current) drawTo(e);
        }}
        onPointerUp={() => {
          last.current = undefined;
          props.onDrawn();
        }}
        onPointerCancel={() => {
          last.current = undefined;
        }}
      />
    </Box>
  );
}
