using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Sources;
using Xunit;

namespace Veil.DataLoading.Tests.Augmentation;

public sealed class ExampleAugmenterTests
{
    private static readonly ImageDataset Data = SyntheticImageDataset.Create(8, seed: 40, height: 32, width: 32, channels: 3);
    private static readonly InMemoryImageSource Source = new(Data);
    private static readonly AugmentationSettings Cifar = new(padding: 4, horizontalFlip: true, normalization: ChannelNormalization.ImageNet);

    private static float[] Apply(ExampleAugmenter augmenter, int example, long step, int k)
    {
        var output = new float[augmenter.OutputShape.Size];
        augmenter.Apply(Source.Decode(example), step, example, k, output, "test");
        return output;
    }

    [Fact]
    public void The_same_seed_step_example_and_k_redraw_the_same_augmentation_as_a_resumed_run_must()
    {
        var a = new ExampleAugmenter(Cifar, Source.Shape, seed: 7);
        var b = new ExampleAugmenter(Cifar, Source.Shape, seed: 7);
        for (int example = 0; example < 8; example++)
            Assert.Equal(Apply(a, example, step: 3, k: 1), Apply(b, example, step: 3, k: 1));
    }

    [Fact]
    public void Different_steps_ks_and_seeds_draw_different_augmentations()
    {
        var a = new ExampleAugmenter(Cifar, Source.Shape, seed: 7);
        var other = new ExampleAugmenter(Cifar, Source.Shape, seed: 8);
        // 81 pad offsets × 2 flips: an accidental equal draw has chance ~1/162 per pair; compare 8 examples.
        int differentK = Enumerable.Range(0, 8).Count(i => !Apply(a, i, 0, 0).SequenceEqual(Apply(a, i, 0, 1)));
        int differentStep = Enumerable.Range(0, 8).Count(i => !Apply(a, i, 0, 0).SequenceEqual(Apply(a, i, 1, 0)));
        int differentSeed = Enumerable.Range(0, 8).Count(i => !Apply(a, i, 0, 0).SequenceEqual(Apply(other, i, 0, 0)));
        Assert.True(differentK >= 6 && differentStep >= 6 && differentSeed >= 6, $"{differentK}, {differentStep}, {differentSeed} of 8 differ");
    }

    [Fact]
    public void Without_augmentation_a_row_is_the_normalised_image()
    {
        var augmenter = new ExampleAugmenter(AugmentationSettings.None(ChannelNormalization.ImageNet), Source.Shape, seed: 1);
        float[] row = Apply(augmenter, 2, 0, 0);
        float[][] tables = ChannelNormalization.ImageNet.Tables(3);
        for (int p = 0; p < row.Length; p++) Assert.Equal(tables[p / 1024][Data.Pixels[2 * 3072 + p]], row[p]);
    }

    [Fact]
    public void Padded_random_crop_is_a_shifted_copy_with_a_zero_border_and_flip_mirrors_it()
    {
        var augmenter = new ExampleAugmenter(new AugmentationSettings(padding: 4, horizontalFlip: true), Source.Shape, seed: 3);
        var zero = ChannelNormalization.UnitInterval.Tables(3)[0][0];
        for (int k = 0; k < 20; k++)
        {
            float[] row = Apply(augmenter, 1, 0, k);
            // Some shift (dy, dx) in [−4, 4]² and a flip explain every output pixel.
            bool explained = false;
            for (int flip = 0; flip < 2 && !explained; flip++)
            for (int dy = -4; dy <= 4 && !explained; dy++)
            for (int dx = -4; dx <= 4 && !explained; dx++)
                explained = Matches(row, dy, dx, flip == 1, zero);
            Assert.True(explained, $"augmentation {k} is not a padded shift (plus optional flip) of the image");
        }
    }

    private static bool Matches(float[] row, int dy, int dx, bool flip, float zero)
    {
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
        {
            int sy = y + dy, sx = (flip ? 31 - x : x) + dx;
            float want = sy is >= 0 and < 32 && sx is >= 0 and < 32 ? Data.Pixels[3072 + c * 1024 + sy * 32 + sx] / 255f : zero;
            if (row[c * 1024 + y * 32 + x] != want) return false;
        }
        return true;
    }

    [Fact]
    public void Resize_then_centre_crop_gives_the_configured_shape_for_images_of_any_size()
    {
        var settings = new AugmentationSettings(resizeShorterSide: 40, cropSize: 36, cropMode: CropMode.Centre);
        var augmenter = new ExampleAugmenter(settings, new ImageShape(3, 32, 32), seed: 0);
        Assert.Equal(new ImageShape(3, 36, 36), augmenter.OutputShape);
        foreach ((int h, int w) in new[] { (32, 32), (60, 90), (100, 45) })
        {
            var pixels = new byte[3 * h * w];
            new Random(h).NextBytes(pixels);
            var output = new float[augmenter.OutputShape.Size];
            augmenter.Apply(new DecodedImage(new ImageShape(3, h, w), pixels, 0), 0, 0, 0, output, "img");
            Assert.All(output, v => Assert.InRange(v, 0f, 1f));
        }
    }

    [Fact]
    public void A_constant_image_stays_constant_through_resize_and_crop()
    {
        var settings = new AugmentationSettings(resizeShorterSide: 20, cropSize: 16, cropMode: CropMode.Random);
        var augmenter = new ExampleAugmenter(settings, new ImageShape(1, 50, 70), seed: 0);
        var output = new float[augmenter.OutputShape.Size];
        augmenter.Apply(new DecodedImage(new ImageShape(1, 50, 70), Enumerable.Repeat((byte)200, 3500).ToArray(), 0), 0, 0, 0, output, "img");
        Assert.All(output, v => Assert.Equal(200 / 255f, v));
    }

    [Fact]
    public void An_image_of_another_size_without_resize_or_crop_is_refused_naming_it()
    {
        var augmenter = new ExampleAugmenter(AugmentationSettings.None(), new ImageShape(1, 28, 28), seed: 0);
        var e = Assert.Throws<DatasetFormatException>(() =>
            augmenter.Apply(new DecodedImage(new ImageShape(1, 30, 28), new byte[840], 0), 0, 0, 0, new float[784], "big.png"));
        Assert.Equal("big.png", e.Path);
    }
}
