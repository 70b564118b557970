namespace Veil.Compute.PerExample;

/// <summary>A model contains a module DP-SGD cannot handle; raised before training, naming the module and the fix.</summary>
public sealed class UnsupportedModuleException : Exception
{
    public UnsupportedModuleException(string modulePath, string moduleType, string reason)
        : base($"{modulePath} is {moduleType}: {reason}")
    {
        ModulePath = modulePath;
        ModuleType = moduleType;
    }

    /// <summary>e.g. "model.layer2.0.bn1".</summary>
    public string ModulePath { get; }
    public string ModuleType { get; }
}
