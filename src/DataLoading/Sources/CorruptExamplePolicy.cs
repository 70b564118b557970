namespace Veil.DataLoading.Sources;

/// <summary>
/// What decoding does with an example whose file is unreadable (truncated JPEG, cut tar member,
/// missing label). Set by <c>veil.data.on-corrupt</c>.
/// </summary>
public enum CorruptExamplePolicy
{
    /// <summary>Stop, with a <see cref="Datasets.DatasetFormatException"/> naming the file (the default: damage is a bug to fix, not noise).</summary>
    Fail,

    /// <summary>
    /// Drop the example from its micro-batch: it contributes nothing to that step. Privacy is
    /// unaffected (Poisson sampling already allows any subset of the batch to contribute less; the
    /// update still divides by the expected batch size qN). Skips are counted.
    /// </summary>
    Skip,
}
