namespace Veil.Compute.Scattering;

/// <summary>
/// A fixed pointwise compression of the raw (non-negative) scattering coefficients, applied before the group normalisation:
/// none, sqrt (x^½) or log (log(1 + x/c), c the offset). Higher-order coefficients are orders of magnitude smaller than
/// the low-pass ones and heavy-tailed; a concave map evens their scales so a linear classifier can weigh them (the
/// log-scattering of the scattering literature). It uses no data, so it spends no privacy.
/// </summary>
public static class ScatteringCompression
{
    public const string None = "none";
    public const string Sqrt = "sqrt";
    public const string Log = "log";

    public static IReadOnlyList<string> Names { get; } = [None, Sqrt, Log];

    /// <summary>In place. Negative inputs (none from the transform; rounding aside) are clamped to 0 so every map stays defined.</summary>
    public static void Apply(float[] values, string compression, double logOffset)
    {
        ArgumentNullException.ThrowIfNull(values);
        switch (compression)
        {
            case None:
                return;
            case Sqrt:
                Parallel.For(0, Chunks(values.Length), c =>
                {
                    foreach (ref var v in Chunk(values, c)) v = MathF.Sqrt(MathF.Max(v, 0f));
                });
                return;
            case Log:
                if (!(logOffset > 0) || double.IsInfinity(logOffset))
                    throw new ArgumentOutOfRangeException(nameof(logOffset), logOffset, "the log offset c must be positive and finite");
                Parallel.For(0, Chunks(values.Length), c =>
                {
                    foreach (ref var v in Chunk(values, c)) v = (float)Math.Log(1 + Math.Max(v, 0f) / logOffset);
                });
                return;
            default:
                throw new ArgumentException($"unknown compression \"{compression}\"; expected one of {string.Join(", ", Names)}", nameof(compression));
        }
    }

    private const int ChunkSize = 1 << 16;

    private static int Chunks(int length) => (length + ChunkSize - 1) / ChunkSize;

    private static Span<float> Chunk(float[] values, int c) =>
        values.AsSpan(c * ChunkSize, Math.Min(ChunkSize, values.Length - c * ChunkSize));
}
