using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp.Modules;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.PerExample;

/// <summary>
/// Per-example convolution weight gradients on the CPU by register-tiled SIMD loops over the padded
/// channels-last input, with no patches and no batched GEMM:
/// ∇W_i[o, u, v, c] = Σ_{y,x} δ_i[o, y, x] · a_i[s·y + d·u, s·x + d·v, c].
///
/// Why: the per-example products of a small network are many tiny GEMMs (tanh-cnn at B = 256: 256 products of
/// [32 × 25] × [25 × 256] for conv2). Batched GEMM copies the patches and packs its operands for each of them,
/// and for a single input channel the grouped-convolution trick runs oneDNN's slow grouped path; per example
/// they ran at about half the speed of the non-private weight-gradient kernel.
///
/// How: in the channels-last input a kernel row u of window t is kw·C contiguous floats (for dilation 1 in
/// width; otherwise each tap's C channels are). Those runs are cut into column blocks of 8 floats (the last one
/// partial when a run is not whole vectors: its spare lanes are computed and dropped), and a tile
/// of 6 (or 4, or 1) output channels × 2 column blocks is accumulated in registers over all positions t: per t,
/// two loads of the input, one broadcast of δ_i[o, t] per row, two fused multiply-adds per row. The tile is
/// stored once and its squares are added to the example's squared norm on the way out. Nothing is packed or
/// copied, and the result comes out in patch order [o, (u, v, c)], the order <see cref="ConvPatches"/> gives,
/// so <see cref="ConvPatches.ToWeightOrder"/> applies unchanged. Grouped convolutions, float64 and tensors off the CPU
/// keep patches + batched GEMM (or the grouped-convolution trick).
/// </summary>
public static class VectorisedConvGradients
{
    const int Block = 8;     // floats in a Vector256
    const int MaxTileRows = 6; // 6 rows × 2 blocks = 12 accumulators + 2 inputs + 1 broadcast: the 16 registers of AVX2

    /// <summary>True where this kernel computes <paramref name="conv"/>'s per-example gradients: one group, float32 on the CPU, 256-bit FMA.</summary>
    public static bool Applies(Convolution conv, Tensor input, Tensor delta) =>
        Supported && conv.groups == 1 && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == ScalarType.Float32
        && delta.dtype == ScalarType.Float32
        && Addressable(input) && Addressable(delta); // offsets are ints and tensors are read as spans

    const long MaximumFloats = int.MaxValue / sizeof(float);

    static bool Addressable(Tensor t) => t.numel() < MaximumFloats / 2; // half: room for the padded copy's border

    /// <summary>256-bit vectors with fused multiply-add (x86-64 with AVX2 and FMA); elsewhere the rule keeps patches + batched GEMM.</summary>
    internal static bool Supported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>Contiguous floats of one window in the channels-last input: a kernel row (kw·C) when taps are adjacent, else one tap's channels.</summary>
    // A run that is not a whole number of vectors ends in a partial block whose spare lanes are computed and dropped. Even
    // so the kernel beat patches + batched GEMM (+ norms) on every shape measured (runs of 21, 9 and 3 floats, a 1×1
    // convolution of 5 channels; figures in docs/benchmarks.md). So every run length is taken.
    static long RunLength(Convolution conv, long channels) => conv.dilation[1] == 1 ? conv.kernel_size[1] * channels : channels;

    /// <summary>
    /// [R, C, H, W] input rows and their δ [R, O, Ho, Wo] → per-row gradients [R, 1, O, kh·kw·C] in patch order, and
    /// their squared norms [R], summed from the registers as each tile is stored (no second pass over the gradients).
    /// </summary>
    public static (Tensor Gradients, Tensor SquaredNorms) Of(Convolution conv, Tensor input, Tensor delta) => Of(conv, input, delta, TorchRuntime.Threads);

    /// <param name="threads">Examples are split over this many threads (the calling worker's budget).</param>
    internal static (Tensor Gradients, Tensor SquaredNorms) Of(Convolution conv, Tensor input, Tensor delta, int threads)
    {
        var padded = ConvPatches.PaddedChannelsLast(conv, input).contiguous(); // [R, Hp, Wp, C]
        // δ arrives channels-last when the layer after the convolution runs channels-last (tanh-cnn's pools): read it in place.
        bool channelsLast = delta.permute(0, 2, 3, 1).is_contiguous();
        var memory = channelsLast ? delta.permute(0, 2, 3, 1) : delta.contiguous(); // contiguous either way
        var shape = new Shape(conv, padded, delta, channelsLast);
        if (shape.HasPartialBlocks) padded = WithSlack(padded);
        var result = empty(new long[] { shape.Rows, 1, shape.Outputs, shape.Columns }, ScalarType.Float32, input.device);
        var squaredNorms = empty(new long[] { shape.Rows }, ScalarType.Float32, input.device);
        Run(shape, padded, memory, result, squaredNorms, threads);
        return (result, squaredNorms);
    }

    /// <summary>
    /// A copy of the padded input followed by a vector of zeros: a partial block's spare lanes read past the end of its run,
    /// and for the last example's last window past the end of the input.
    /// </summary>
    static Tensor WithSlack(Tensor padded)
    {
        long count = padded.numel();
        var buffer = zeros(new[] { count + Block }, padded.dtype, padded.device);
        var view = buffer.narrow(0, 0, count).view(padded.shape);
        view.copy_(padded);
        return view;
    }

    /// <summary>Sizes and offset tables of one layer's products, shared by every example.</summary>
    sealed class Shape
    {
        public readonly int Rows, Outputs, Positions, Columns, InputStride, DeltaStride, GradientStride;
        public readonly int DeltaRowStride, DeltaStep; // δ_i[o, t] at o·DeltaRowStride + t·DeltaStep: (positions, 1) as [O, Ho, Wo], (1, O) channels-last
        public readonly int[] Windows; // input offset of output position t's window origin
        public readonly int[] Blocks;  // input offset, from a window origin, of column block k
        public readonly int[] BlockColumns; // its first patch column
        public readonly int[] BlockWidths;  // its kept lanes: 8, or fewer for the last block of a run that is not whole vectors
        public readonly bool HasPartialBlocks;
        public readonly int[] TileRows; // output channels cut into tiles of 6, 4 and 1 rows, cheapest first (RowTiles)

        public Shape(Convolution conv, Tensor padded, Tensor delta, bool deltaChannelsLast)
        {
            Rows = checked((int)delta.shape[0]);
            Outputs = checked((int)delta.shape[1]);
            int channels = checked((int)padded.shape[3]), width = checked((int)padded.shape[2]);
            int outHeight = (int)delta.shape[2], outWidth = (int)delta.shape[3];
            int kh = (int)conv.kernel_size[0], kw = (int)conv.kernel_size[1];
            Positions = outHeight * outWidth;
            Columns = kh * kw * channels;
            InputStride = checked((int)(padded.shape[1] * width * channels));
            DeltaStride = Outputs * Positions;
            TileRows = RowTiles(Outputs);
            (DeltaRowStride, DeltaStep) = deltaChannelsLast ? (1, Outputs) : (Positions, 1);
            GradientStride = Outputs * Columns;
            Windows = new int[Positions];
            for (int y = 0; y < outHeight; y++)
                for (int x = 0; x < outWidth; x++)
                    Windows[y * outWidth + x] = (int)(conv.stride[0] * y * width + conv.stride[1] * x) * channels;
            int run = (int)RunLength(conv, channels), runsPerRow = kw * channels / run;
            var blocks = new List<(int Offset, int Column, int Width)>();
            for (int u = 0; u < kh; u++)
                for (int r = 0; r < runsPerRow; r++)
                    for (int k = 0; k * Block < run; k++)
                    {
                        int column = (u * runsPerRow + r) * run + k * Block; // patch column: runs are consecutive in (u, v, c) order
                        blocks.Add(
                            ((int)(conv.dilation[0] * u * width + conv.dilation[1] * r) * channels + k * Block, column, Math.Min(Block, run - k * Block)));
                    }
            Blocks = blocks.Select(b => b.Offset).ToArray();
            BlockColumns = blocks.Select(b => b.Column).ToArray();
            BlockWidths = blocks.Select(b => b.Width).ToArray();
            HasPartialBlocks = BlockWidths.Any(w => w < Block);
        }
    }

    /// <summary>
    /// The cheapest cut of <paramref name="outputs"/> rows into tiles of 6, 4 and 1 rows. A 1-row tile does two FMAs per three
    /// loads (about a third of a 6-row tile's rate), so 32 rows go 6+6+6+6+4+4 rather than 6·5+1+1.
    /// </summary>
    internal static int[] RowTiles(int outputs)
    {
        var cost = new double[outputs + 1];
        var first = new int[outputs + 1];
        for (int r = 1; r <= outputs; r++)
        {
            cost[r] = double.MaxValue;
            foreach (var (rows, price) in new[] { (6, 6.0), (4, 4.4), (1, 3.0) })
                if (rows <= r && cost[r - rows] + price < cost[r]) (cost[r], first[r]) = (cost[r - rows] + price, rows);
        }
        var tiles = new List<int>();
        for (int r = outputs; r > 0; r -= first[r]) tiles.Add(first[r]);
        return tiles.OrderByDescending(t => t).ToArray();
    }

    static unsafe void Run(Shape shape, Tensor padded, Tensor delta, Tensor result, Tensor squaredNorms, int threads)
    {
        fixed (float* input = MemoryMarshal.Cast<byte, float>(padded.bytes))
        fixed (float* d = MemoryMarshal.Cast<byte, float>(delta.bytes))
        fixed (float* g = MemoryMarshal.Cast<byte, float>(result.bytes))
        fixed (float* n = MemoryMarshal.Cast<byte, float>(squaredNorms.bytes))
        {
            var (pi, pd, pg, pn) = ((nint)input, (nint)d, (nint)g, (nint)n);
            void Examples(int start, int end)
            {
                for (int i = start; i < end; i++)
                    ((float*)pn)[i] = Example(
                        shape, (float*)pi + (long)i * shape.InputStride, (float*)pd + (long)i * shape.DeltaStride, (float*)pg + (long)i * shape.GradientStride);
            }
            threads = Math.Min(threads, shape.Rows);
            if (threads <= 1) Examples(0, shape.Rows);
            else
            {
                int per = (shape.Rows + threads - 1) / threads;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                    k => Examples(k * per, Math.Min(shape.Rows, (k + 1) * per)));
            }
        }
    }

    /// <summary>One example: ∇W_i[o, blocks k and k + 1] for every output channel
    /// o, in the tiles of <see cref="RowTiles"/>; returns ‖∇W_i‖².</summary>
    static unsafe float Example(Shape shape, float* input, float* delta, float* gradient)
    {
        Vector256<float> squares = default, discarded = default;
        float keptSquares = 0;
        int columns = shape.Columns, blocks = shape.Blocks.Length;
        int rowStride = shape.DeltaRowStride, step = shape.DeltaStep;
        // A tile whose blocks are not two whole adjacent vectors (an odd count's last block, paired with itself; a partial
        // block) is computed here, then only its kept lanes are copied out and squared.
        float* spare = stackalloc float[MaxTileRows * 2 * Block];
        fixed (int* windows = shape.Windows)
            for (int k = 0; k < blocks; k += 2)
            {
                float* q0 = input + shape.Blocks[k];
                bool pair = k + 1 < blocks;
                float* q1 = pair ? input + shape.Blocks[k + 1] : q0;
                int width0 = shape.BlockWidths[k], width1 = pair ? shape.BlockWidths[k + 1] : 0;
                bool direct = width0 == Block && width1 == Block && shape.BlockColumns[k + 1] == shape.BlockColumns[k] + Block;
                int o = 0;
                foreach (int rows in shape.TileRows)
                {
                    float* d = delta + (long)o * rowStride;
                    float* target = direct ? gradient + (long)o * columns + shape.BlockColumns[k] : spare;
                    int stride = direct ? columns : 2 * Block;
                    Vector256<float>* sums = direct ? &squares : &discarded;
                    if (rows == 6) Tile6(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                    else if (rows == 4) Tile4(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                    else Tile1(d, step, shape.Positions, q0, q1, windows, target, sums);
                    if (!direct)
                        for (int j = 0; j < rows; j++)
                        {
                            float* row = gradient + (long)(o + j) * columns;
                            keptSquares += Keep(spare + j * 2 * Block, row + shape.BlockColumns[k], width0);
                            if (pair) keptSquares += Keep(spare + j * 2 * Block + Block, row + shape.BlockColumns[k + 1], width1);
                        }
                    o += rows;
                }
            }
        return Vector256.Sum(squares) + keptSquares;
    }

    /// <summary>Copies the first <paramref name="width"/> lanes of a computed block out; returns their squared sum.</summary>
    static unsafe float Keep(float* computed, float* output, int width)
    {
        float sum = 0;
        for (int lane = 0; lane < width; lane++)
        {
            float value = computed[lane];
            output[lane] = value;
            sum += value * value;
        }
        return sum;
    }

    // Tiles: rows j of δ_i (output channels o + j, rowStride apart; positions step apart) against two column blocks b of 8 floats,
    // out[j·stride + 8b .. +8) = Σ_t δ[j·rowStride + t·step] · q_b[windows[t] .. +8). The accumulators stay in registers over the
    // whole sum and are stored once: per position two loads of the input, one broadcast per row, two FMAs per row.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Tile6(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, Vector256<float>* squares)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector256.Load(q0 + window);
            var x1 = Vector256.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector256.Create(d[0]);
            a00 = Fma.MultiplyAdd(b, x0, a00); a01 = Fma.MultiplyAdd(b, x1, a01);
            b = Vector256.Create(d[rowStride]);
            a10 = Fma.MultiplyAdd(b, x0, a10); a11 = Fma.MultiplyAdd(b, x1, a11);
            b = Vector256.Create(d[2 * rowStride]);
            a20 = Fma.MultiplyAdd(b, x0, a20); a21 = Fma.MultiplyAdd(b, x1, a21);
            b = Vector256.Create(d[3 * rowStride]);
            a30 = Fma.MultiplyAdd(b, x0, a30); a31 = Fma.MultiplyAdd(b, x1, a31);
            b = Vector256.Create(d[4 * rowStride]);
            a40 = Fma.MultiplyAdd(b, x0, a40); a41 = Fma.MultiplyAdd(b, x1, a41);
            b = Vector256.Create(d[5 * rowStride]);
            a50 = Fma.MultiplyAdd(b, x0, a50); a51 = Fma.MultiplyAdd(b, x1, a51);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block); output += columns;
        a40.Store(output); a41.Store(output + Block); output += columns;
        a50.Store(output); a51.Store(output + Block);
        var s = *squares;
        s = Fma.MultiplyAdd(a00, a00, s); s = Fma.MultiplyAdd(a01, a01, s); s = Fma.MultiplyAdd(a10, a10, s); s = Fma.MultiplyAdd(a11, a11, s);
        s = Fma.MultiplyAdd(a20, a20, s); s = Fma.MultiplyAdd(a21, a21, s); s = Fma.MultiplyAdd(a30, a30, s); s = Fma.MultiplyAdd(a31, a31, s);
        s = Fma.MultiplyAdd(a40, a40, s); s = Fma.MultiplyAdd(a41, a41, s); s = Fma.MultiplyAdd(a50, a50, s); s = Fma.MultiplyAdd(a51, a51, s);
        *squares = s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Tile4(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, Vector256<float>* squares)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector256.Load(q0 + window);
            var x1 = Vector256.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector256.Create(d[0]);
            a00 = Fma.MultiplyAdd(b, x0, a00); a01 = Fma.MultiplyAdd(b, x1, a01);
            b = Vector256.Create(d[rowStride]);
            a10 = Fma.MultiplyAdd(b, x0, a10); a11 = Fma.MultiplyAdd(b, x1, a11);
            b = Vector256.Create(d[2 * rowStride]);
            a20 = Fma.MultiplyAdd(b, x0, a20); a21 = Fma.MultiplyAdd(b, x1, a21);
            b = Vector256.Create(d[3 * rowStride]);
            a30 = Fma.MultiplyAdd(b, x0, a30); a31 = Fma.MultiplyAdd(b, x1, a31);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block);
        var s = *squares;
        s = Fma.MultiplyAdd(a00, a00, s); s = Fma.MultiplyAdd(a01, a01, s); s = Fma.MultiplyAdd(a10, a10, s); s = Fma.MultiplyAdd(a11, a11, s);
        s = Fma.MultiplyAdd(a20, a20, s); s = Fma.MultiplyAdd(a21, a21, s); s = Fma.MultiplyAdd(a30, a30, s); s = Fma.MultiplyAdd(a31, a31, s);
        *squares = s;
    }

    static unsafe void Tile1(float* delta, int step, int length, float* q0, float* q1, int* windows, float* output, Vector256<float>* squares)
    {
        Vector256<float> a0 = default, a1 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var b = Vector256.Create(*delta);
            delta += step;
            a0 = Fma.MultiplyAdd(b, Vector256.Load(q0 + window), a0);
            a1 = Fma.MultiplyAdd(b, Vector256.Load(q1 + window), a1);
        }
        a0.Store(output); a1.Store(output + Block);
        *squares = Fma.MultiplyAdd(a1, a1, Fma.MultiplyAdd(a0, a0, *squares));
    }
}
