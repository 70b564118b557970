namespace Veil.Compute.Scattering;

/// <summary>
/// Another view of an image for augmentation multiplicity or test-time averaging: optionally mirrored left to right, then shifted
/// by (rows, columns) pixels with the uncovered border filled with 0 (the background of Fashion-MNIST). A fixed function of one
/// image: computing it uses no other data and spends nothing.
/// </summary>
public sealed record ImageView(string Name, bool Mirror, int ShiftRows, int ShiftColumns)
{
    public static ImageView Mirrored { get; } = new("horizontal mirror", true, 0, 0);

    /// <summary>The four shifts by <paramref name="pixels"/>: down, up, right, left.</summary>
    public static IReadOnlyList<ImageView> Shifts(int pixels) =>
    [
        new($"shift {pixels} down", false, pixels, 0), new($"shift {pixels} up", false, -pixels, 0),
        new($"shift {pixels} right", false, 0, pixels), new($"shift {pixels} left", false, 0, -pixels),
    ];

    /// <summary>The view of <paramref name="count"/> one-channel images (row-major, <paramref name="height"/> × <paramref name="width"/>).</summary>
    public float[] Apply(ReadOnlySpan<float> images, int count, int height, int width)
    {
        var view = new float[images.Length];
        for (int i = 0; i < count; i++)
        {
            int image = i * height * width;
            for (int r = 0; r < height; r++)
                for (int c = 0; c < width; c++)
                {
                    int sr = r - ShiftRows, sc = c - ShiftColumns;
                    if (sr < 0 || sr >= height || sc < 0 || sc >= width) continue;
                    view[image + r * width + c] = images[image + sr * width + (Mirror ? width - 1 - sc : sc)];
                }
        }
        return view;
    }
}
