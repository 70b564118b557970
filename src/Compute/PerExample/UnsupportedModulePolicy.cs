namespace Veil.Compute.PerExample;

/// <summary>
/// What to do with a trainable module that has no per-example rule (HOCON <c>veil.dp.unsupported</c>).
/// Modules that mix examples (BatchNorm) are refused under either policy: no per-example computation
/// can make their gradients per-example.
/// </summary>
public enum UnsupportedModulePolicy
{
    /// <summary>Refuse the model before training, naming the module and the fix (the default).</summary>
    Refuse,
    /// <summary>Compute that module's per-example gradients with a one-example-at-a-time loop (correct, B× slower for it).</summary>
    Naive,
}
