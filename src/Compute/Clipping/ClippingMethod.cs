namespace Veil.Compute.Clipping;

/// <summary>How <see cref="ClippedGradientSum"/> computes Σ_i c_i g_i.</summary>
public enum ClippingMethod
{
    /// <summary>
    /// The default: per layer, ghost norms or materialised per-example gradients as the layer's cost
    /// model chooses; then the clipped sum by book-keeping (c·δ contracted with a). One forward and one
    /// backward pass to the layer outputs, no per-example copy of the whole model's gradient.
    /// </summary>
    Fast,
    /// <summary>Every layer's per-example gradients are formed, then flat norms and a weighted sum (simple; more memory than Fast).</summary>
    Materialised,
    /// <summary>The one-example-at-a-time reference loop: B backward passes.</summary>
    Naive,
}
