using System.Globalization;
using System.Text.Json;

namespace Veil.Actors.Training;

/// <summary>runs/&lt;id&gt;/: the plan, the result, the final parameters; secrets (seeds) in a 0600 sub-folder.</summary>
public sealed class RunFolder
{
    private RunFolder(string id, string path)
    {
        Id = id;
        Path = path;
    }

    public string Id { get; }

    public string Path { get; }

    /// <summary>
    /// Fills the folder through <paramref name="populate"/> under a hidden temporary name and only then
    /// renames it into place: a run folder that exists always holds its settings and seeds, so it can be
    /// resumed, whenever the process dies.
    /// </summary>
    public static RunFolder Create(string runsDirectory, Action<RunFolder> populate)
    {
        var id = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..3]);
        var final = System.IO.Path.GetFullPath(System.IO.Path.Combine(runsDirectory, id));
        var temporary = System.IO.Path.GetFullPath(System.IO.Path.Combine(runsDirectory, "." + id + ".partial"));
        Directory.CreateDirectory(temporary);
        populate(new RunFolder(id, temporary));
        Directory.Move(temporary, final);
        return new RunFolder(id, final);
    }

    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"run folder {path} does not exist (give --resume a runs/<id> folder)");
        return new RunFolder(System.IO.Path.GetFileName(path.TrimEnd(System.IO.Path.DirectorySeparatorChar)), path);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    // An insecure run's ε is ∞: written as "Infinity" rather than refused.
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void WriteJson(string name, object value) => System.IO.File.WriteAllText(File(name), JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>
    /// The noise seed lets anyone who has it subtract the noise from the released model: it is kept
    /// readable by the owner only, and never printed.
    /// </summary>
    public void WriteSecret(string name, string content)
    {
        var dir = System.IO.Path.Combine(Path, "secrets");
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var file = System.IO.Path.Combine(dir, name);
        System.IO.File.WriteAllText(file, content);
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void WriteFloats(string name, float[] values)
    {
        using var stream = System.IO.File.Create(File(name));
        stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    /// <summary>Floats written by <see cref="WriteFloats"/> (e.g. a finished run's parameters.f32).</summary>
    public static float[] ReadFloats(string path) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(System.IO.File.ReadAllBytes(path)).ToArray();
}
