using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Veil.Compute.Models;
using Veil.Compute.Runtime;
using static TorchSharp.torch;

namespace Veil.Compute.Transfer;

/// <summary>
/// A backbone on disk: backbone.json (<see cref="BackboneManifest"/>) and weights.f32 (every parameter,
/// frozen or not, little-endian float32 in named_parameters order). Loading checks the weights against the
/// manifest's SHA-256, so a damaged or edited file is refused rather than silently fine-tuned.
/// </summary>
public static class BackboneStore
{
    public const string ManifestFile = "backbone.json";
    public const string WeightsFile = "weights.f32";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static BackboneManifest Save(string directory, VeilModel model, string publicDataFingerprint, string publicData, BackbonePreprocessing preprocessing)
    {
        if (model is not IBackbone backbone)
            throw new BackboneException($"model {model.CatalogName} has no feature/head split; it cannot be saved as a backbone (use tanh-cnn, gn-cnn or mlp)");
        TorchRuntime.EnsureLoaded();
        var parameters = new List<BackboneParameter>();
        var weights = new List<float>();
        using (NewDisposeScope())
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
            {
                parameters.Add(new BackboneParameter(name, p.shape.ToArray()));
                weights.AddRange(p.detach().cpu().reshape(-1).data<float>().ToArray());
            }
        var values = weights.ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var manifest = new BackboneManifest(BackboneManifest.CurrentFormat, model.CatalogName, model.ExampleShape, model.Classes,
            backbone.FeatureDimension, backbone.HeadName, publicDataFingerprint, publicData, preprocessing, parameters,
            Fingerprint(model.CatalogName, model.ExampleShape, parameters, bytes));
        Directory.CreateDirectory(directory);
        WriteDurably(Path.Combine(directory, WeightsFile), bytes);
        WriteDurably(Path.Combine(directory, ManifestFile), Encoding.UTF8.GetBytes(JsonSerializer.Serialize(manifest, Json)));
        return manifest;
    }

    public static LoadedBackbone Load(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(manifestPath))
            throw new BackboneException(
                $"{manifestPath} does not exist: veil.init.from must name a backbone folder written by `./run.sh pretrain` (runs/<id>/backbone)");
        BackboneManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackboneManifest>(File.ReadAllText(manifestPath), Json)
                ?? throw new BackboneException($"{manifestPath} is empty; pre-train the backbone again");
        }
        catch (JsonException e)
        {
            throw new BackboneException($"{manifestPath} is not a backbone manifest ({e.Message}); pre-train the backbone again");
        }
        if (manifest.FormatVersion != BackboneManifest.CurrentFormat)
            throw new BackboneException(
                $"{manifestPath} has format {manifest.FormatVersion}; this Veil reads format {BackboneManifest.CurrentFormat}; pre-train the backbone again");
        if (!File.Exists(weightsPath)) throw new BackboneException($"{weightsPath} is missing; pre-train the backbone again");
        var bytes = File.ReadAllBytes(weightsPath);
        long expected = manifest.Parameters.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
        if (bytes.Length != expected * sizeof(float) ||
            Fingerprint(manifest.Architecture, manifest.InputShape, manifest.Parameters, bytes) != manifest.Fingerprint)
            throw new BackboneException($"{weightsPath} does not match {manifestPath} (size or SHA-256 differs): the backbone is damaged; pre-train it again");
        var weights = new float[expected];
        Buffer.BlockCopy(bytes, 0, weights, 0, bytes.Length);
        return new LoadedBackbone(Path.GetFullPath(directory), manifest, weights);
    }

    private static string Fingerprint(string architecture, long[] inputShape, IReadOnlyList<BackboneParameter> parameters, byte[] weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var header = "veil.backbone.v1\n" + architecture + "\n" + string.Join("x", inputShape) + "\n" +
                     string.Join(";", parameters.Select(p => $"{p.Name}[{string.Join(",", p.Shape)}]")) + "\n";
        hash.AppendData(Encoding.UTF8.GetBytes(header));
        hash.AppendData(weights);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteDurably(string path, byte[] content)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
