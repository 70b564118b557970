using System.Text.Json;
using TorchSharp.PyBridge;
using Veil.Compute.Models;
using Veil.Compute.Runtime;

namespace Veil.Compute.Export;

/// <summary>
/// Writes a model's whole state under its module names (what PyTorch's load_state_dict expects) with metadata:
/// safetensors by <see cref="SafetensorsFile"/>, PyTorch's format by TorchSharp.PyBridge's save_py (a torch.save'd
/// state_dict), whose file has no room for metadata, so it goes beside it as <see cref="MetadataFileOf"/>.
/// Returns the files written.
/// </summary>
public static class ModelExporter
{
    public static IReadOnlyList<string> Write(VeilModel model, string path, string format, IReadOnlyDictionary<string, string> metadata)
    {
        TorchRuntime.EnsureLoaded();
        switch (format)
        {
            case ExportFormats.Safetensors:
                SafetensorsFile.Write(path, NamedWeights.Of(model), metadata);
                return [path];
            case ExportFormats.PyTorch:
                model.save_py(path);
                var side = MetadataFileOf(path);
                File.WriteAllText(side, JsonSerializer.Serialize(metadata, new JsonSerializerOptions { WriteIndented = true }));
                return [path, side];
            default:
                throw new ArgumentException($"unknown export format '{format}'; valid formats: {string.Join(", ", ExportFormats.All)}");
        }
    }

    /// <summary>Where the metadata of a PyTorch-format export lives: FILE.metadata.json.</summary>
    public static string MetadataFileOf(string path) => path + ".metadata.json";
}
