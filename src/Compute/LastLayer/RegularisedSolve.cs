using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// Solves (A + λI) W = B for a NOISY symmetric A (a noisy XᵀX or Hessian block), in float64.
///
/// The choice: A is first projected onto the positive semi-definite cone (eigendecomposition A = V diag(μ) Vᵀ,
/// negative μ set to 0), then λ > 0 is added, so the system is always positive definite with eigenvalues ≥ λ.
/// Why the projection rather than a fixed eigenvalue floor: the true XᵀX (and each Hessian block) is PSD, and
/// projecting onto a convex set that contains the truth never moves the estimate further from it in Frobenius
/// norm; it is post-processing of the release, so it costs no privacy. λ then bounds the condition number.
/// </summary>
public static class RegularisedSolve
{
    /// <summary>W = (proj_PSD(A) + λI)⁻¹ B. A is n × n (symmetrised as (A + Aᵀ)/2 first), B is n × k.</summary>
    public static Tensor Solve(Tensor a, Tensor b, double lambda)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = Decompose(a, lambda);
        var solved = vectors.mm(vectors.t().mm(b) / values.unsqueeze(1));
        return solved.MoveToOuterDisposeScope();
    }

    /// <summary>(proj_PSD(A) + λI)⁻¹ itself (the DP-FC preconditioner).</summary>
    public static Tensor Inverse(Tensor a, double lambda)
    {
        using var scope = NewDisposeScope();
        var (values, vectors) = Decompose(a, lambda);
        var inverse = (vectors / values.unsqueeze(0)).mm(vectors.t());
        return inverse.MoveToOuterDisposeScope();
    }

    static (Tensor Values, Tensor Vectors) Decompose(Tensor a, double lambda)
    {
        if (!(lambda > 0) || !double.IsFinite(lambda))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "regularisation λ must be finite and > 0 (it keeps the noisy system invertible)");
        if (a.dim() != 2 || a.shape[0] != a.shape[1]) throw new ArgumentException($"expected a square matrix, got [{string.Join(", ", a.shape)}]", nameof(a));
        var symmetric = (a + a.t()) * 0.5;
        var (values, vectors) = linalg.eigh(symmetric);
        return (values.clamp_min(0) + lambda, vectors);
    }
}
