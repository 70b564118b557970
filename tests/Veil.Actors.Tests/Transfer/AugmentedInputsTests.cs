using Veil.Actors.Configuration;
using Veil.Actors.Transfer;
using Veil.DataLoading.Batching;
using Veil.DataLoading.Datasets;
using Xunit;

namespace Veil.Actors.Tests.Transfer;

public class AugmentedInputsTests
{
    private const int Side = 8, Size = Side * Side, Count = 64;
    private static readonly PixelNormalization Normalization = PixelNormalization.FashionMnist;

    /// <summary>Pixels 1..255 drawn at random (seed 7): no pixel equals the background, so a shift is visible.</summary>
    private static ImageDataset Images()
    {
        var random = new Random(7);
        var pixels = new byte[Count * Size];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.Next(1, 256);
        return new ImageDataset("test", "random", 1, Side, Side, pixels, Enumerable.Range(0, Count).Select(i => (byte)(i % 10)).ToArray(), 10);
    }

    private static float[] Views(ImageDataset data, PretrainAugmentation augment, ulong seed, long step)
    {
        var rows = new float[Count * Size];
        new AugmentedInputs(data, Normalization, augment, seed).Write(step, Enumerable.Range(0, Count).ToArray(), rows);
        return rows;
    }

    /// <summary>Image <paramref name="i"/> flipped (or not), then moved by (dy, dx), background where it left the frame.</summary>
    private static float[] Moved(ImageDataset data, int i, bool flip, int dy, int dx)
    {
        var table = Normalization.LookupTable();
        var row = new float[Size];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
            {
                int sy = y + dy, sx = (flip ? Side - 1 - x : x) + dx;
                row[y * Side + x] = sy is >= 0 and < Side && sx is >= 0 and < Side ? table[data.Pixels[i * Size + sy * Side + sx]] : table[0];
            }
        return row;
    }

    [Fact]
    public void Without_augmentation_the_views_are_the_decoder_rows()
    {
        var data = Images();
        var decoded = new MicroBatchDecoder(data, Normalization).Decode(new MicroBatchSpec(new MicroBatchId(-1, 0), Enumerable.Range(0, Count).ToArray()));
        Assert.Equal(decoded.Inputs, Views(data, PretrainAugmentation.None, seed: 3, step: 0));
    }

    [Fact]
    public void Views_are_a_function_of_seed_step_and_example()
    {
        var data = Images();
        var augment = new PretrainAugmentation(Flip: true, CropPadding: 2);
        Assert.Equal(Views(data, augment, 3, 5), Views(data, augment, 3, 5));
        // 64 examples each drawing one of 50 views: equal by chance with probability below 50⁻⁶⁴.
        Assert.NotEqual(Views(data, augment, 3, 5), Views(data, augment, 4, 5));
        Assert.NotEqual(Views(data, augment, 3, 5), Views(data, augment, 3, 6));
        // One example's view does not depend on which other examples share its batch.
        var alone = new float[Size];
        new AugmentedInputs(data, Normalization, augment, 3).Write(5, [17], alone);
        Assert.Equal(Views(data, augment, 3, 5).AsSpan(17 * Size, Size).ToArray(), alone);
    }

    [Fact]
    public void A_flip_mirrors_the_columns_and_happens_about_half_the_time()
    {
        var data = Images();
        var views = Views(data, new PretrainAugmentation(Flip: true, CropPadding: 0), 11, 0);
        int flipped = 0;
        for (int i = 0; i < Count; i++)
        {
            var view = views.AsSpan(i * Size, Size).ToArray();
            if (view.SequenceEqual(Moved(data, i, flip: true, 0, 0))) flipped++;
            else Assert.Equal(Moved(data, i, flip: false, 0, 0), view);
        }
        // Binomial(64, ½): outside [16, 48] with probability < 1e-4 (and the seed is fixed, so this never flakes).
        Assert.InRange(flipped, 16, 48);
    }

    [Fact]
    public void Crop_padding_translates_by_at_most_the_padding_and_fills_with_background()
    {
        var data = Images();
        const int padding = 2;
        var views = Views(data, new PretrainAugmentation(Flip: false, CropPadding: padding), 13, 0);
        var shifts = new HashSet<(int, int)>();
        for (int i = 0; i < Count; i++)
        {
            var view = views.AsSpan(i * Size, Size).ToArray();
            var found = (from dy in Enumerable.Range(-padding, 2 * padding + 1)
                         from dx in Enumerable.Range(-padding, 2 * padding + 1)
                         where view.AsSpan().SequenceEqual(Moved(data, i, false, dy, dx))
                         select (dy, dx)).ToList();
            Assert.True(found.Count == 1, $"example {i}'s view is not one translation by at most {padding} pixels");
            shifts.Add(found[0]);
        }
        // 25 shifts equally likely; 64 draws hitting at most 10 of them has probability far below 1e-9.
        Assert.True(shifts.Count > 10, $"only {shifts.Count} distinct shifts in {Count} draws");
    }
}
