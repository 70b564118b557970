using static TorchSharp.torch;

namespace Veil.Compute.LastLayer;

/// <summary>
/// The exact (noiseless) sums the mechanisms release, in float64. Each is a sum over examples of a term
/// whose norm <see cref="LastLayerSensitivity"/> bounds; nothing here is private until noise is added.
/// </summary>
public static class SufficientStatistics
{
    /// <summary>XᵀX = Σ x xᵀ (D × D).</summary>
    public static Tensor Covariance(Tensor x) => x.t().mm(x);

    /// <summary>XᵀY = Σ x yᵀ (D × K).</summary>
    public static Tensor Targets(Tensor x, Tensor y) => TransposedProduct(x, y);

    /// <summary>
    /// Xᵀ R for a tall X (N × D) and a narrow R (N × K), computed as (Rᵀ X)ᵀ: libtorch's CPU kernel for a
    /// transposed tall left operand is several times slower on 60000 × 785 than the plain product of Rᵀ.
    /// </summary>
    public static Tensor TransposedProduct(Tensor x, Tensor r)
    {
        using var scope = NewDisposeScope();
        return r.t().contiguous().mm(x).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>softmax(XW), row by row (N × K).</summary>
    public static Tensor Probabilities(Tensor x, Tensor w) => x.mm(w).softmax(1);

    /// <summary>Σ x (p − y)ᵀ (D × K): the gradient of the summed logistic loss at W, given p = softmax(XW).</summary>
    public static Tensor LogisticGradient(Tensor x, Tensor y, Tensor p)
    {
        using var scope = NewDisposeScope();
        return TransposedProduct(x, p - y).MoveToOuterDisposeScope();
    }

    /// <summary>Hessian block k of the summed logistic loss: Σ p_k(1 − p_k) x xᵀ (D × D).</summary>
    public static Tensor LogisticHessianBlock(Tensor x, Tensor p, int k)
    {
        using var scope = NewDisposeScope();
        var pk = p.select(1, k);
        var weighted = x * (pk * (1 - pk)).sqrt().unsqueeze(1);
        return weighted.t().mm(weighted).MoveToOuterDisposeScope();
    }
}
