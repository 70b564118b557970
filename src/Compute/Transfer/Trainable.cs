namespace Veil.Compute.Transfer;

/// <summary>What a fine-tuning run trains (veil.init.trainable); everything else is frozen (requires_grad = false).</summary>
public enum Trainable
{
    All,
    LastBlock,
    LastLayer,
}
