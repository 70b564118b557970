using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// The top-k principal directions of PUBLIC features (centred by their mean), and the projection of any features onto them.
/// Fitted on public examples only, so using it on private features is a fixed map: it spends nothing. Fewer dimensions mean
/// less noise per DP-SGD step (the noise's norm grows with √(dimension × classes)) for the signal that lies in the subspace.
/// </summary>
public sealed class PrincipalSubspace
{
    private readonly double[] _mean;
    private readonly double[] _basis;

    private PrincipalSubspace(double[] mean, double[] basis, int dimension, int components) =>
        (_mean, _basis, Dimension, Components) = (mean, basis, dimension, components);

    public int Dimension { get; }
    public int Components { get; }

    /// <summary>
    /// Directions of the <paramref name="components"/> largest eigenvalues of the covariance of <paramref name="values"/> (count × dimension).
    /// </summary>
    public static PrincipalSubspace Fit(float[] values, int count, int dimension, int components)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (components < 1 || components > dimension)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"components must be in [1, {dimension}]");
        if ((long)count * dimension != values.LongLength)
            throw new ArgumentException($"{values.LongLength} values are not {count} × {dimension}", nameof(values));
        Runtime.TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var x = tensor(values, [count, dimension]).to_type(ScalarType.Float64);
        var mean = x.mean([0L]);
        var centred = x - mean;
        var (eigenvalues, eigenvectors) = linalg.eigh(centred.t().mm(centred) / count);
        // eigh sorts ascending: the last k columns, largest first.
        var top = eigenvectors.narrow(1, dimension - components, components).flip(1).contiguous();
        return new PrincipalSubspace(mean.data<double>().ToArray(), top.data<double>().ToArray(), dimension, components);
    }

    /// <summary>(x − mean)ᵀ V for each row of <paramref name="values"/> (count × Dimension): count × Components.</summary>
    public float[] Project(float[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((long)count * Dimension != values.LongLength)
            throw new ArgumentException($"{values.LongLength} values are not {count} × {Dimension}", nameof(values));
        Runtime.TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var basis = tensor(_basis, [Dimension, Components], ScalarType.Float64);
        var mean = tensor(_mean, [Dimension], ScalarType.Float64);
        var projected = new float[(long)count * Components];
        const int chunk = 4096;
        for (int start = 0; start < count; start += chunk)
        {
            using var inner = NewDisposeScope();
            int rows = Math.Min(chunk, count - start);
            var x = tensor(values.AsSpan(start * Dimension, rows * Dimension).ToArray(), [rows, Dimension]).to_type(ScalarType.Float64);
            var part = ((x - mean).mm(basis)).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            part.CopyTo(projected, (long)start * Components);
        }
        return projected;
    }
}
