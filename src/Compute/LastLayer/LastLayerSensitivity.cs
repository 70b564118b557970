namespace Veil.Compute.LastLayer;

/// <summary>
/// L2 sensitivities (add/remove one example) of every statistic the last-layer mechanisms release, given that
/// each row x of the design matrix has ‖x‖ ≤ C (<see cref="FeatureMap"/>) and each target y is one-hot (‖y‖ = 1).
/// All statistics are sums over examples, so a neighbour changes them by exactly one example's term; the
/// sensitivity is the largest Frobenius norm that term can have. Each is checked by a property test.
/// </summary>
public static class LastLayerSensitivity
{
    /// <summary>
    /// Σ x xᵀ: ‖x xᵀ‖_F = ‖x‖² ≤ C². The release draws noise only for the upper triangle (diagonal included)
    /// and mirrors it; the upper triangle of x xᵀ has norm ≤ ‖x xᵀ‖_F, so C² bounds the released vector too.
    /// </summary>
    public static double Covariance(double clipNorm) => clipNorm * clipNorm;

    /// <summary>Σ x yᵀ: ‖x yᵀ‖_F = ‖x‖·‖y‖ ≤ C·1.</summary>
    public static double Targets(double clipNorm) => clipNorm;

    /// <summary>
    /// Σ (p − y) xᵀ, the gradient of the summed multinomial logistic loss at any public W (p = softmax(Wᵀx)).
    /// ‖(p − y) xᵀ‖_F = ‖p − y‖·‖x‖, and with c the true class,
    /// ‖p − y‖² = (1 − p_c)² + Σ_{k≠c} p_k² ≤ (1 − p_c)² + (Σ_{k≠c} p_k)² = 2(1 − p_c)² ≤ 2, so the bound is √2·C.
    /// </summary>
    public static double LogisticGradient(double clipNorm) => Math.Sqrt(2) * clipNorm;

    /// <summary>
    /// The K diagonal blocks of the logistic Hessian, H_k = Σ p_k(1 − p_k) x xᵀ (k = 1..K), released together.
    /// One example's term has squared Frobenius norm Σ_k p_k²(1 − p_k)² ‖x‖⁴. For p ∈ [0, 1],
    /// p(1 − p)² ≤ 4/27 (maximum at p = 1/3), so Σ_k p_k²(1 − p_k)² = Σ_k p_k · p_k(1 − p_k)² ≤ (4/27) Σ_k p_k = 4/27:
    /// the bound is √(4/27)·C² ≈ 0.385·C², attained by p uniform over three classes. (Upper triangles only,
    /// as for the covariance.)
    /// </summary>
    public static double LogisticHessianBlocks(double clipNorm) => Math.Sqrt(4.0 / 27.0) * clipNorm * clipNorm;
}
