namespace Veil.Compute.Tests.Support;

/// <summary>Reproducible random batches (28×28×1 unless another example size is asked, values like normalised pixels) and labels.</summary>
public static class TestData
{
    public static (float[] Inputs, long[] Labels) Batch(int seed, int count, long size = 784)
    {
        var random = new Random(seed);
        var inputs = new float[count * size];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)(random.NextDouble() * 2 - 1);
        var labels = new long[count];
        for (int i = 0; i < count; i++) labels[i] = random.Next(10);
        return (inputs, labels);
    }

    public static float[] Slice(float[] values, int from, int count, long size) => values.AsSpan((int)(from * size), (int)(count * size)).ToArray();
    public static long[] Slice(long[] values, int from, int count) => values.AsSpan(from, count).ToArray();
}
