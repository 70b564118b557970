namespace Veil.Compute.Export;

/// <summary>The file formats a trained model can be exported in.</summary>
public static class ExportFormats
{
    /// <summary>safetensors: the weights and the metadata in one file, loadable without running code (no pickle).</summary>
    public const string Safetensors = "safetensors";

    /// <summary>PyTorch's torch.save of a state_dict (zip + pickle), for torch.load; the metadata goes in FILE.metadata.json beside it.</summary>
    public const string PyTorch = "pytorch";

    public static IReadOnlyList<string> All { get; } = [Safetensors, PyTorch];
}
