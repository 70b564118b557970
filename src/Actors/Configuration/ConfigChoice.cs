namespace Veil.Actors.Configuration;

/// <summary>
/// A HOCON key whose value is one of a few words, read into a type: the words are the configuration's, the values are
/// the code's, and a word not in the table is refused naming the key and the words it takes.
/// </summary>
public static class ConfigChoice
{
    public static T Read<T>(Akka.Configuration.Config config, string key, IReadOnlyList<(string Word, T Value)> choices)
    {
        var word = ConfigReading.OneOf(config, key, choices.Select(c => c.Word).ToArray());
        return choices.First(c => c.Word == word).Value;
    }

    /// <summary>The configuration word of <paramref name="value"/>, for messages that tell the user which key to change.</summary>
    public static string Word<T>(T value, IReadOnlyList<(string Word, T Value)> choices) where T : struct, Enum =>
        choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, value)).Word;
}
