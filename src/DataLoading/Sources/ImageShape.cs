namespace Veil.DataLoading.Sources;

/// <summary>Channels × height × width of one image; bytes (and decoded floats) per example is <see cref="Size"/>.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
