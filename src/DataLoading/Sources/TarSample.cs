namespace Veil.DataLoading.Sources;

/// <summary>
/// One example of a tar shard, as the shard's index records it: the image member's data offset and
/// length (to seek and read it alone), its label, the SHA-256 of its bytes (for the fingerprint),
/// and, if the example cannot be decoded (member cut short, no label, no image), why.
/// </summary>
public sealed record TarSample(string Key, string Extension, long Offset, int Length, int Label, byte[] ContentHash, string? Damage)
{
    public string MemberName => Extension.Length > 0 ? Key + "." + Extension : Key;
}
