using TorchSharp;
using TorchSharp.Modules;
using Veil.Compute.Clipping;
using Veil.Compute.PerExample;
using Veil.Compute.Runtime;
using Veil.Compute.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Veil.Compute.Tests.PerExample;

/// <summary>
/// The SIMD per-example convolution kernel against autograd run one example at a time in float64: every tile
/// shape (6, 4 and 1 rows; paired and odd column blocks), both δ layouts, stride, padding, dilation, batch of 1,
/// each at both vector widths (256 and 512 bits), on runs that are whole vectors of neither width as well as of both.
/// The kernel accumulates in float32, so the tolerance is float32's (1e-5 of the largest entry).
/// </summary>
public sealed class VectorisedConvGradientsTests
{
    const double Tolerance = 1e-5;

    public VectorisedConvGradientsTests()
    {
        TorchRuntime.EnsureLoaded();
        Assert.True(VectorisedConvGradients.Supported, "this CPU has no 256-bit FMA, so the kernel cannot run here (Conv2dRule falls back to patches + batched GEMM)");
    }

    /// <summary>A theory that runs where the CPU has accelerated AVX-512 and is skipped, saying why, elsewhere.</summary>
    public sealed class WideVectorTheoryAttribute : TheoryAttribute
    {
        public WideVectorTheoryAttribute()
        {
            if (!VectorisedConvGradients.WideSupported)
                Skip = "this CPU (or the .NET runtime on it) has no accelerated AVX-512, so the 512-bit tiles cannot run here; the 256-bit cases still do";
        }
    }

    public sealed record Layer(string Name, Func<Conv2d> Build, long Channels, long Height, long Width)
    {
        public override string ToString() => Name;
    }

    static readonly Layer[] Layers =
    {
        new("one channel, kernel row of 8: tanh-cnn's conv1", () => nn.Conv2d(1, 16, 8, stride: 2, padding: 2), 1, 28, 28),
        new("16 channels, stride 2: tanh-cnn's conv2", () => nn.Conv2d(16, 32, 4, stride: 2), 16, 12, 12),
        new("7 outputs: a 6-row tile and a 1-row tile", () => nn.Conv2d(16, 7, 3, padding: 1, bias: false), 16, 6, 6),
        new("10 outputs, dilation 2 in width, rectangular stride", () => nn.Conv2d(16, 10, (2L, 3L), stride: (1L, 2L), padding: (1L, 2L), dilation: (1L, 2L)), 16, 7, 9),
        new("8 channels, dilation 2: an odd number of column blocks", () => nn.Conv2d(8, 5, 3, stride: 2, padding: 1, dilation: 2), 8, 11, 11),
        new("3 channels, kernel row of 8: runs of 24 floats", () => nn.Conv2d(3, 4, (3L, 8L), padding: (1L, 0L)), 3, 6, 10),
        new("RGB 7×7 stride 2, an ImageNet stem: runs of 21 floats end in a partial block", () => nn.Conv2d(3, 8, 7, stride: 2, padding: 3), 3, 15, 13),
        new("20 channels dilated: blocks of 8, 8 and 4 per tap", () => nn.Conv2d(20, 6, 3, padding: 2, dilation: 2, bias: false), 20, 7, 6),
        new("RGB 3×3: runs of 9 floats, a block and a 1-lane block", () => nn.Conv2d(3, 16, 3, padding: 1), 3, 8, 8),
        new("RGB 3×3 dilated: runs of 3 floats, every block partial", () => nn.Conv2d(3, 5, 3, padding: 2, dilation: 2), 3, 7, 7),
        new("11 channels 3×3: runs of 33 floats, two whole 512-bit blocks and a 1-lane block", () => nn.Conv2d(11, 6, 3, padding: 1), 11, 6, 7),
        new("5 channels, kernel row of 4: runs of 20 floats, a 512-bit block and a 4-lane block", () => nn.Conv2d(5, 12, (2L, 4L), stride: (2L, 2L)), 5, 9, 10),
        new("16 channels, kernel row of 2: runs of 32 floats, one pair of whole 512-bit blocks", () => nn.Conv2d(16, 4, 2), 16, 5, 5),
    };

    public static TheoryData<Layer, long, bool> Cases
    {
        get
        {
            var data = new TheoryData<Layer, long, bool>();
            foreach (var layer in Layers)
                foreach (var (batch, channelsLast) in new[] { (1L, false), (4L, false), (3L, true) })
                    data.Add(layer, batch, channelsLast);
            return data;
        }
    }

    /// <summary>∇W_i by autograd, one example at a time, in float64: [B, 1, O, kh·kw·C] in patch order (kh, kw, C).</summary>
    static Tensor OneAtATime(Conv2d conv, Tensor x, Tensor delta)
    {
        var weight = conv.weight!.detach().to(ScalarType.Float64).requires_grad_(true);
        var rows = new List<Tensor>();
        for (long i = 0; i < x.shape[0]; i++)
        {
            var output = nn.functional.conv2d(x[i].unsqueeze(0).to(ScalarType.Float64), weight, null,
                strides: conv.stride, padding: conv.padding, dilation: conv.dilation);
            var gradient = autograd.grad(new[] { output }, new[] { weight }, new[] { delta[i].unsqueeze(0).to(ScalarType.Float64) })[0];
            rows.Add(gradient.permute(0, 2, 3, 1).reshape(1, 1, gradient.shape[0], -1)); // (O, C, kh, kw) → (O, kh, kw, C)
        }
        return cat(rows, 0);
    }

    static (Conv2d Conv, Tensor X, Tensor Delta) Inputs(Layer layer, long batch, bool deltaChannelsLast, long seed)
    {
        var conv = layer.Build();
        var g = manual_seed(seed);
        var x = randn(new[] { batch, layer.Channels, layer.Height, layer.Width }, generator: g);
        var shape = conv.call(x).shape;
        var delta = deltaChannelsLast
            ? randn(new[] { shape[0], shape[2], shape[3], shape[1] }, generator: g).permute(0, 3, 1, 2) // channels-last in memory
            : randn(shape, generator: g);
        return (conv, x, delta);
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<double>();
        double error = (expected - actual.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.True(error <= Tolerance * scale, $"{what}: max error {error:g3} against scale {scale:g3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Per_example_weight_gradients_equal_autograd_one_example_at_a_time_in_256_bit_vectors(Layer layer, long batch, bool deltaChannelsLast) =>
        EqualsAutogradOneExampleAtATime(layer, batch, deltaChannelsLast, width: 256);

    [WideVectorTheory]
    [MemberData(nameof(Cases))]
    public void Per_example_weight_gradients_equal_autograd_one_example_at_a_time_in_512_bit_vectors(Layer layer, long batch, bool deltaChannelsLast) =>
        EqualsAutogradOneExampleAtATime(layer, batch, deltaChannelsLast, width: 512);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Per_example_weight_gradients_equal_autograd_one_example_at_a_time_at_each_layers_own_width(Layer layer, long batch, bool deltaChannelsLast) =>
        EqualsAutogradOneExampleAtATime(layer, batch, deltaChannelsLast, width: null);

    static void EqualsAutogradOneExampleAtATime(Layer layer, long batch, bool deltaChannelsLast, int? width)
    {
        using var scope = NewDisposeScope();
        var (conv, x, delta) = Inputs(layer, batch, deltaChannelsLast, seed: 5 + batch);
        Assert.True(VectorisedConvGradients.Applies(conv, x, delta), $"{layer.Name}: the kernel should apply");
        var expected = OneAtATime(conv, x, delta);
        var (gradients, squaredNorms) = VectorisedConvGradients.Of(conv, x, delta, TorchRuntime.Threads, width);
        string what = $"{layer.Name}, B={batch}, δ channels-last {deltaChannelsLast}, width {width?.ToString() ?? "per layer"}";
        AssertClose(expected, gradients, $"{what}: gradients");
        AssertClose(expected.reshape(batch, -1).square().sum(1L), squaredNorms, $"{what}: squared norms summed from the registers");
    }

    [Fact]
    public void Layers_take_512_bit_vectors_only_where_they_cut_the_tile_passes()
    {
        Assert.Equal(256, VectorisedConvGradients.ChooseWidth(nn.Conv2d(1, 16, 8), 1, wide: true));   // runs of 8: one block either way
        Assert.Equal(256, VectorisedConvGradients.ChooseWidth(nn.Conv2d(3, 5, 3, dilation: 2), 3, wide: true)); // runs of 3
        Assert.Equal(512, VectorisedConvGradients.ChooseWidth(nn.Conv2d(16, 32, 4), 16, wide: true)); // runs of 64: 16 passes → 8
        Assert.Equal(512, VectorisedConvGradients.ChooseWidth(nn.Conv2d(3, 8, 7), 3, wide: true));    // runs of 21: 11 passes → 7
        Assert.Equal(512, VectorisedConvGradients.ChooseWidth(nn.Conv2d(3, 16, 3), 3, wide: true));   // runs of 9: 3 passes → 2
        Assert.Equal(256, VectorisedConvGradients.ChooseWidth(nn.Conv2d(16, 32, 4), 16, wide: false)); // no AVX-512
    }

    [Fact]
    public void The_width_variable_forces_256_or_512_bits_and_refuses_anything_else_by_name()
    {
        Assert.Null(VectorisedConvGradients.ForcedWidth(null));
        Assert.Null(VectorisedConvGradients.ForcedWidth(""));
        Assert.Equal(256, VectorisedConvGradients.ForcedWidth("256"));
        if (VectorisedConvGradients.WideSupported) Assert.Equal(512, VectorisedConvGradients.ForcedWidth("512"));
        else Assert.Contains(VectorisedConvGradients.WidthVariable, Assert.Throws<ArgumentException>(() => VectorisedConvGradients.ForcedWidth("512")).Message);
        Assert.Contains(VectorisedConvGradients.WidthVariable, Assert.Throws<ArgumentException>(() => VectorisedConvGradients.ForcedWidth("128")).Message);
    }

    [Fact]
    public void Examples_split_over_threads_give_bit_identical_gradients_and_norms()
    {
        using var scope = NewDisposeScope();
        var (conv, x, delta) = Inputs(Layers[1], 7, deltaChannelsLast: false, seed: 11);
        var alone = VectorisedConvGradients.Of(conv, x, delta, threads: 1);
        var split = VectorisedConvGradients.Of(conv, x, delta, threads: 2); // examples 0–3 on one thread, 4–6 on another
        Assert.True(alone.Gradients.equal(split.Gradients).all().item<bool>(), "each example's sum runs in the same order whichever thread takes it");
        Assert.True(alone.SquaredNorms.equal(split.SquaredNorms).all().item<bool>(), "and so does its norm");
    }

    [Fact]
    public void Output_channels_are_cut_into_tiles_that_cover_each_once_avoiding_one_row_tiles_where_possible()
    {
        for (int outputs = 1; outputs <= 130; outputs++)
        {
            var tiles = VectorisedConvGradients.RowTiles(outputs);
            Assert.Equal(outputs, tiles.Sum());
            Assert.All(tiles, t => Assert.Contains(t, new[] { 6, 4, 1 }));
            if (outputs % 2 == 0 && outputs >= 4) Assert.DoesNotContain(1, tiles);
        }
        Assert.Equal(new[] { 6, 6, 6, 6, 4, 4 }, VectorisedConvGradients.RowTiles(32));
        Assert.Equal(new[] { 6, 1 }, VectorisedConvGradients.RowTiles(7));
    }

    [Fact]
    public void Grouped_and_float64_convolutions_keep_patches_and_batched_GEMM()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 16, 6, 6);
        var grouped = nn.Conv2d(16, 16, 3, groups: 2);
        Assert.False(VectorisedConvGradients.Applies(grouped, x, grouped.call(x)));
        var plain = nn.Conv2d(16, 16, 3);
        Assert.True(VectorisedConvGradients.Applies(plain, x, plain.call(x)));
        var rgb = randn(2, 3, 8, 8);
        var first = nn.Conv2d(3, 16, 3, padding: 1);               // runs of 9 floats: taken, with a partial block
        Assert.True(VectorisedConvGradients.Applies(first, rgb, first.call(rgb)));
        plain.to(ScalarType.Float64);
        var x64 = x.to(ScalarType.Float64);
        Assert.False(VectorisedConvGradients.Applies(plain, x64, plain.call(x64)));
    }

    [Fact]
    public void A_float32_network_through_the_kernel_gives_the_naive_loops_norms_and_clipped_sum()
    {
        using var scope = NewDisposeScope();
        var model = new Chain(("conv1", nn.Conv2d(1, 16, 8, stride: 2, padding: 2)), ("act1", nn.Tanh()),
            ("conv2", nn.Conv2d(16, 16, 4, stride: 2)), ("act2", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(16 * 5 * 5, 3)));
        var g = manual_seed(29);
        var x = randn(new[] { 6L, 1, 28, 28 }, generator: g);
        var y = randint(3, new[] { 6L }, dtype: ScalarType.Int64, generator: g);

        using var reference = new Chain(("conv1", nn.Conv2d(1, 16, 8, stride: 2, padding: 2)), ("act1", nn.Tanh()),
            ("conv2", nn.Conv2d(16, 16, 4, stride: 2)), ("act2", nn.Tanh()), ("flat", nn.Flatten()), ("fc", nn.Linear(16 * 5 * 5, 3)));
        reference.to(ScalarType.Float64);
        using (no_grad())
            foreach (var (mine, theirs) in model.parameters().Zip(reference.parameters())) theirs.copy_(mine);
        var rows = NaivePerExampleGradients.Compute(reference, x.to(ScalarType.Float64), y);
        var norms = rows.square().sum(1L).sqrt();
        double clipNorm = norms.median().item<double>();
        var factors = norms.clamp_min(clipNorm).reciprocal() * clipNorm;
        var expected = (factors.unsqueeze(1) * rows).sum(0L);

        var (sum, fastNorms, _) = BookkeepingClipping.Compute(model, x, y, clipNorm, strategy: NormStrategy.Materialise);
        AssertClose(norms, fastNorms, "norms");
        AssertClose(expected, sum, "clipped sum");
    }
}
