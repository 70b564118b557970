namespace Veil.Compute.Scattering;

/// <summary>
/// Group normalisation of scattering coefficients without learned scale or shift (Wu and He 2018; the normalisation
/// Tramèr and Boneh 2021 found as good as private data normalisation for ScatterNet models): the channels of each
/// example are cut into G consecutive groups and each group is standardised by its own mean and variance over its
/// channels and positions. Each example is normalised by itself alone, so the map is data-independent and
/// releases nothing about other examples: it spends no privacy.
/// </summary>
public static class ScatteringGroupNorm
{
    public const double Epsilon = 1e-5;

    /// <summary>In place: <paramref name="count"/> examples of channels × positions floats each.</summary>
    public static void Apply(float[] features, int count, int channels, int positions, int groups)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (groups < 1 || channels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"the group count must divide the {channels} channels");
        if (features.LongLength != (long)count * channels * positions)
            throw new ArgumentException($"{features.LongLength} values are not {count} × {channels} × {positions}", nameof(features));
        int groupSize = channels / groups * positions;
        Parallel.For(0, count, i =>
        {
            for (int g = 0; g < groups; g++)
            {
                var values = features.AsSpan((int)((long)i * channels * positions + (long)g * groupSize), groupSize);
                double sum = 0, squares = 0;
                foreach (var v in values) sum += v;
                double mean = sum / groupSize;
                foreach (var v in values) squares += (v - mean) * (v - mean);
                double scale = 1 / Math.Sqrt(squares / groupSize + Epsilon);
                for (int k = 0; k < values.Length; k++) values[k] = (float)((values[k] - mean) * scale);
            }
        });
    }
}
