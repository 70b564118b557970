namespace Veil.Compute.LastLayer;

/// <summary>The private last-layer mechanisms (veil.last-layer.method).</summary>
public enum LastLayerMethod
{
    /// <summary>dp-least-squares: noisy XᵀX and Xᵀy once, one regularised solve.</summary>
    LeastSquares,
    /// <summary>dp-newton: a few Newton steps on the logistic loss, each with a noisy gradient and noisy Hessian blocks.</summary>
    Newton,
    /// <summary>dp-fc: noisy XᵀX once, then DP-SGD on the head preconditioned by its regularised inverse.</summary>
    FeatureCovariance,
    /// <summary>dp-sgd-last-layer: DP-SGD on a zero-initialised head.</summary>
    Sgd,
}
