namespace Veil.Actors.Configuration;

/// <summary>veil.mode: what `train` runs. Each mode plugs its mechanism into the one private-run lifecycle.</summary>
public enum RunMode
{
    /// <summary>dp-sgd: the whole model (or its trainable part) by DP-SGD through the actor pipeline.</summary>
    DpSgd,

    /// <summary>last-layer: a private linear head on frozen features (a few Gaussian releases).</summary>
    LastLayer,
}
