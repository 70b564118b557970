using Veil.Compute.Scattering;
using Xunit;

namespace Veil.Compute.Tests.Scattering;

public class ImageViewTests
{
    // Two 3 × 4 images whose pixel at (r, c) is 100·i + 10·r + c + 1 (never 0, so the zero fill is visible).
    private static float[] Images() => Enumerable.Range(0, 24).Select(k => (float)(100 * (k / 12) + 10 * (k % 12 / 4) + k % 4 + 1)).ToArray();

    private static float At(float[] images, int i, int r, int c) => images[i * 12 + r * 4 + c];

    [Fact]
    public void The_mirror_view_reverses_each_row_of_each_image()
    {
        var images = Images();
        var view = ImageView.Mirrored.Apply(images, 2, 3, 4);
        for (int i = 0; i < 2; i++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 4; c++) Assert.Equal(At(images, i, r, 3 - c), At(view, i, r, c));
    }

    [Fact]
    public void A_shift_moves_every_pixel_by_the_offset_and_fills_the_uncovered_border_with_zero()
    {
        var images = Images();
        foreach (var shift in ImageView.Shifts(1))
        {
            var view = shift.Apply(images, 2, 3, 4);
            for (int i = 0; i < 2; i++)
                for (int r = 0; r < 3; r++)
                    for (int c = 0; c < 4; c++)
                    {
                        int sr = r - shift.ShiftRows, sc = c - shift.ShiftColumns;
                        bool inside = sr is >= 0 and < 3 && sc is >= 0 and < 4;
                        Assert.Equal(inside ? At(images, i, sr, sc) : 0f, At(view, i, r, c));
                    }
        }
        Assert.Equal(4, ImageView.Shifts(2).Select(v => (v.ShiftRows, v.ShiftColumns)).Distinct().Count());
    }
}
