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
/// width; otherwise each tap's C channels are). Those runs are cut into column blocks of one vector, 8 floats (256 bits,
/// <see cref="ConvTiles256"/>) or 16 (512 bits, <see cref="ConvTiles512"/>), the last one partial when a run is not whole
/// vectors (its spare lanes are computed and dropped), and a tile
/// of 6 (or 4, or 1) output channels × 2 column blocks is accumulated in registers over all positions t: per t,
/// two loads of the input, one broadcast of δ_i[o, t] per row, two fused multiply-adds per row. The tile is
/// stored once and its squares are added to the example's squared norm on the way out. Nothing is packed or
/// copied, and the result comes out in patch order [o, (u, v, c)], the order <see cref="ConvPatches"/> gives,
/// so <see cref="ConvPatches.ToWeightOrder"/> applies unchanged. Grouped convolutions, float64 and tensors off the CPU
/// keep patches + batched GEMM (or the grouped-convolution trick).
///
/// Width: each layer takes 512-bit vectors where the CPU has AVX-512 and they need fewer tile passes than 256-bit ones
/// (a run of 8 floats is one block either way and stays at 256 bits), else 256-bit vectors; the environment variable
/// <see cref="WidthVariable"/> (256 or 512) forces one width for every layer. Either width gives the same gradients in the
/// same layout, and the same norms up to float32 rounding.
/// </summary>
public static class VectorisedConvGradients
{
    const int MaxTileRows = 6;
    const int MaxBlock = ConvTiles512.Block;

    /// <summary>
    /// True where this kernel computes <paramref name="conv"/>'s per-example gradients: one group, float32 on the CPU, 256-bit FMA
    /// (or wider).
    /// </summary>
    public static bool Applies(Convolution conv, Tensor input, Tensor delta) =>
        Supported && conv.groups == 1 && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == ScalarType.Float32
        && delta.dtype == ScalarType.Float32
        && Addressable(input) && Addressable(delta); // offsets are ints and tensors are read as spans

    const long MaximumFloats = int.MaxValue / sizeof(float);

    static bool Addressable(Tensor t) => t.numel() < MaximumFloats / 2; // half: room for the padded copy's border

    /// <summary>256-bit vectors with fused multiply-add (x86-64 with AVX2 and FMA); elsewhere the rule keeps patches + batched GEMM.</summary>
    internal static bool Supported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    /// <summary>512-bit vectors too (AVX-512F), which the runtime does not turn down for this CPU.</summary>
    internal static bool WideSupported => Supported && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>The environment variable that forces one vector width for every layer: <c>256</c> or <c>512</c> (unset: per layer).</summary>
    public const string WidthVariable = "VEIL_VECTOR_WIDTH";

    /// <summary>
    /// The width, in bits, that <see cref="WidthVariable"/> forces, or null where it is unset (each layer then takes 512-bit
    /// vectors where the CPU has them and they need fewer tile passes, see <see cref="ChooseWidth"/>).
    /// </summary>
    internal static int? ForcedWidth(string? setting) => setting switch
    {
        null or "" => null,
        "256" => 256,
        "512" when WideSupported => 512,
        "512" => throw new ArgumentException($"{WidthVariable}=512, but this CPU (or the .NET runtime on it) has no accelerated AVX-512; unset it or use 256"),
        _ => throw new ArgumentException($"{WidthVariable} is '{setting}': it takes 256 or 512, or is left unset (512-bit vectors where they help, else 256)"),
    };

    /// <summary>Contiguous floats of one window in the channels-last input: a kernel row (kw·C) when taps are adjacent, else one tap's channels.</summary>
    // A run that is not a whole number of vectors ends in a partial block whose spare lanes are computed and dropped. Even
    // so the kernel beat patches + batched GEMM (+ norms) on every shape measured (runs of 21, 9 and 3 floats, a 1×1
    // convolution of 5 channels; figures in docs/benchmarks.md). So every run length is taken.
    static long RunLength(Convolution conv, long channels) => conv.dilation[1] == 1 ? conv.kernel_size[1] * channels : channels;

    /// <summary>
    /// The per-layer width in bits: 512 where <paramref name="wide"/> (the CPU has it) and it takes fewer tile passes, else 256.
    /// A pass (one tile over a pair of column blocks) costs about the same at either width, the same instructions one vector
    /// wider, so 512 bits pay only where they cut the passes; a run of 8 floats is one block either way and keeps 256 bits,
    /// with no spare lanes to compute and drop.
    /// </summary>
    internal static int ChooseWidth(Convolution conv, long channels, bool wide) =>
        wide && Passes(conv, channels, ConvTiles512.Block) < Passes(conv, channels, ConvTiles256.Block) ? 512 : 256;

    static long Passes(Convolution conv, long channels, int block)
    {
        long run = RunLength(conv, channels), runs = conv.kernel_size[0] * (conv.kernel_size[1] * channels / run);
        return (runs * ((run + block - 1) / block) + 1) / 2; // column blocks are taken in pairs
    }

    /// <summary>
    /// [R, C, H, W] input rows and their δ [R, O, Ho, Wo] → per-row gradients [R, 1, O, kh·kw·C] in patch order, and
    /// their squared norms [R], summed from the registers as each tile is stored (no second pass over the gradients).
    /// </summary>
    public static (Tensor Gradients, Tensor SquaredNorms) Of(Convolution conv, Tensor input, Tensor delta) =>
        Of(conv, input, delta, TorchRuntime.Threads, ForcedWidth(Environment.GetEnvironmentVariable(WidthVariable)));

    /// <param name="threads">Examples are split over this many threads (the calling worker's budget).</param>
    /// <param name="width">256 or 512 to force that vector width; null for the per-layer choice.</param>
    internal static (Tensor Gradients, Tensor SquaredNorms) Of(Convolution conv, Tensor input, Tensor delta, int threads, int? width = null)
    {
        if (width is not (null or 256 or 512)) throw new ArgumentOutOfRangeException(nameof(width), width, "256, 512 or null");
        if (width == 512 && !WideSupported) throw new PlatformNotSupportedException("512-bit vectors need AVX-512F");
        var padded = ConvPatches.PaddedChannelsLast(conv, input).contiguous(); // [R, Hp, Wp, C]
        // δ arrives channels-last when the layer after the convolution runs channels-last (tanh-cnn's pools): read it in place.
        bool channelsLast = delta.permute(0, 2, 3, 1).is_contiguous();
        var memory = channelsLast ? delta.permute(0, 2, 3, 1) : delta.contiguous(); // contiguous either way
        width ??= ChooseWidth(conv, padded.shape[3], WideSupported);
        var shape = new Shape(conv, padded, delta, channelsLast, width == 512 ? ConvTiles512.Block : ConvTiles256.Block);
        if (shape.HasPartialBlocks) padded = WithSlack(padded, shape.Block);
        var result = empty(new long[] { shape.Rows, 1, shape.Outputs, shape.Columns }, ScalarType.Float32, input.device);
        var squaredNorms = empty(new long[] { shape.Rows }, ScalarType.Float32, input.device);
        Run(shape, padded, memory, result, squaredNorms, threads);
        return (result, squaredNorms);
    }

    /// <summary>
    /// A copy of the padded input followed by a vector of zeros (<paramref name="block"/> floats): a partial block's spare lanes
    /// read past the end of its run, and for the last example's last window past the end of the input.
    /// </summary>
    static Tensor WithSlack(Tensor padded, int block)
    {
        long count = padded.numel();
        var buffer = zeros(new[] { count + block }, padded.dtype, padded.device);
        var view = buffer.narrow(0, 0, count).view(padded.shape);
        view.copy_(padded);
        return view;
    }

    /// <summary>Sizes and offset tables of one layer's products, shared by every example.</summary>
    sealed class Shape
    {
        public readonly int Block; // floats in one vector: 8 (256 bits) or 16 (512 bits)
        public readonly int Rows, Outputs, Positions, Columns, InputStride, DeltaStride, GradientStride;
        public readonly int DeltaRowStride, DeltaStep; // δ_i[o, t] at o·DeltaRowStride + t·DeltaStep: (positions, 1) as [O, Ho, Wo], (1, O) channels-last
        public readonly int[] Windows; // input offset of output position t's window origin
        public readonly int[] Blocks;  // input offset, from a window origin, of column block k
        public readonly int[] BlockColumns; // its first patch column
        public readonly int[] BlockWidths;  // its kept lanes: Block, or fewer for the last block of a run that is not whole vectors
        public readonly bool HasPartialBlocks;
        public readonly int[] TileRows; // output channels cut into tiles of 6, 4 and 1 rows, cheapest first (RowTiles)

        public Shape(Convolution conv, Tensor padded, Tensor delta, bool deltaChannelsLast, int block)
        {
            Block = block;
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
        // Lanes of the tiles' squared sums: 8 or 16 used, by the tiles' width.
        float* squares = stackalloc float[MaxBlock], discarded = stackalloc float[MaxBlock];
        new Span<float>(squares, MaxBlock).Clear();
        new Span<float>(discarded, MaxBlock).Clear(); // never read, but stale stack bytes could be denormals, which slow the FMAs
        float keptSquares = 0;
        int columns = shape.Columns, blocks = shape.Blocks.Length, block = shape.Block;
        bool wide = block == ConvTiles512.Block;
        int rowStride = shape.DeltaRowStride, step = shape.DeltaStep;
        // A tile whose blocks are not two whole adjacent vectors (an odd count's last block, paired with itself; a partial
        // block) is computed here, then only its kept lanes are copied out and squared.
        float* spare = stackalloc float[MaxTileRows * 2 * MaxBlock];
        fixed (int* windows = shape.Windows)
            for (int k = 0; k < blocks; k += 2)
            {
                float* q0 = input + shape.Blocks[k];
                bool pair = k + 1 < blocks;
                float* q1 = pair ? input + shape.Blocks[k + 1] : q0;
                int width0 = shape.BlockWidths[k], width1 = pair ? shape.BlockWidths[k + 1] : 0;
                bool direct = width0 == block && width1 == block && shape.BlockColumns[k + 1] == shape.BlockColumns[k] + block;
                int o = 0;
                foreach (int rows in shape.TileRows)
                {
                    float* d = delta + (long)o * rowStride;
                    float* target = direct ? gradient + (long)o * columns + shape.BlockColumns[k] : spare;
                    int stride = direct ? columns : 2 * block;
                    float* sums = direct ? squares : discarded;
                    if (wide)
                    {
                        if (rows == 6) ConvTiles512.Tile6(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                        else if (rows == 4) ConvTiles512.Tile4(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                        else ConvTiles512.Tile1(d, step, shape.Positions, q0, q1, windows, target, sums);
                    }
                    else if (rows == 6) ConvTiles256.Tile6(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                    else if (rows == 4) ConvTiles256.Tile4(d, rowStride, step, shape.Positions, q0, q1, windows, target, stride, sums);
                    else ConvTiles256.Tile1(d, step, shape.Positions, q0, q1, windows, target, sums);
                    if (!direct)
                        for (int j = 0; j < rows; j++)
                        {
                            float* row = gradient + (long)(o + j) * columns;
                            keptSquares += Keep(spare + j * 2 * block, row + shape.BlockColumns[k], width0);
                            if (pair) keptSquares += Keep(spare + j * 2 * block + block, row + shape.BlockColumns[k + 1], width1);
                        }
                    o += rows;
                }
            }
        return (wide ? Vector512.Sum(Vector512.Load(squares)) : Vector256.Sum(Vector256.Load(squares))) + keptSquares;
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
}
