using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Veil.Actors.Configuration;

/// <summary>
/// Loads HOCON: `--set` overrides, then a recipe file, then the embedded hocon/reference.conf. Every
/// `veil.*` key given by the user must exist in the reference, so a typo is an error naming the key,
/// the file and the nearest valid key, never a silent fall-back to the default.
/// </summary>
public static class VeilConfiguration
{
    private const string Scope = "veil";

    public static Config Reference { get; } = LoadReference();

    public static Config Load(string? file = null, IReadOnlyList<string>? overrides = null, string? embeddedRecipe = null)
    {
        var config = Reference;
        if (embeddedRecipe is not null)
            config = Validated(Parse(ReadResource($"Veil.{embeddedRecipe}.conf"), $"embedded hocon/{embeddedRecipe}.conf"), $"hocon/{embeddedRecipe}.conf")
                .WithFallback(config);
        if (file is not null)
        {
            if (!File.Exists(file)) throw new ConfigurationException($"configuration file {file} does not exist (give --config an existing .conf file)");
            config = Validated(Parse(File.ReadAllText(file), file), file).WithFallback(config);
        }
        foreach (var assignment in overrides ?? [])
        {
            var eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ConfigurationException($"--set {assignment}: expected key=value, e.g. --set veil.privacy.budget.epsilon=3");
            var source = $"--set {assignment}";
            config = Validated(Parse($"{assignment[..eq].Trim()} = {assignment[(eq + 1)..].Trim()}", source), source).WithFallback(config);
        }
        return config;
    }

    /// <summary>Every leaf key under `veil`, with its path.</summary>
    public static IEnumerable<string> Keys(Config config) =>
        Leaves("", config.Root).Where(k => k == Scope || k.StartsWith(Scope + ".", StringComparison.Ordinal));

    private static Config Validated(Config user, string source)
    {
        var valid = Keys(Reference).ToHashSet(StringComparer.Ordinal);
        foreach (var key in Keys(user))
        {
            if (valid.Contains(key)) continue;
            var suggestion = NearestKey.To(key, valid);
            throw new ConfigurationException(
                $"unknown configuration key {key} in {source}" +
                (suggestion is not null ? $"; did you mean {suggestion}?" : "; every valid key is listed in hocon/reference.conf"));
        }
        return user;
    }

    private static IEnumerable<string> Leaves(string prefix, HoconValue value)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        foreach (var (key, child) in value.GetObject().Items)
            foreach (var leaf in Leaves(prefix.Length == 0 ? key : prefix + "." + key, child))
                yield return leaf;
    }

    private static Config Parse(string text, string source)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            var first = e.Message.Split('\n')[0].Trim();
            throw new ConfigurationException($"{source} is not valid HOCON: {first}", e);
        }
    }

    private static Config LoadReference() => ConfigurationFactory.ParseString(ReadResource("Veil.reference.conf"));

    private static string ReadResource(string name)
    {
        using var stream = typeof(VeilConfiguration).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the veil assembly: the build is broken");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
