namespace Veil.Compute.PerExample;

/// <summary>How a layer computes per-example gradient norms.</summary>
public enum NormStrategy
{
    /// <summary>The rule's cost model decides from the shapes (the default).</summary>
    Auto,
    /// <summary>Norms without per-example gradients (‖a‖²‖δ‖², or the Gram-matrix form); sum by book-keeping.</summary>
    Ghost,
    /// <summary>Per-example gradients are formed, their norms taken, and their weighted sum.</summary>
    Materialise,
}
