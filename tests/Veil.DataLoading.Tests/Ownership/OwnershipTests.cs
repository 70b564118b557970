using System.Security.Cryptography;
using Veil.DataLoading.Datasets;
using Veil.DataLoading.Ownership;
using Veil.DataLoading.Sources;
using Veil.DataLoading.Tests.Support;
using Xunit;

namespace Veil.DataLoading.Tests.Ownership;

public sealed class OwnershipTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // root/<class>/<user>/<n>.png: class c's images belong to users a and b alternately.
    private ImageFolderSource ClassThenUser(int perClass = 4)
    {
        var data = SyntheticImageDataset.Create(2 * perClass, seed: 3, classes: 2);
        for (var i = 0; i < data.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_dir.Path, "tree", $"class{i % 2}", i / 2 % 2 == 0 ? "alice" : "bob"));
            File.WriteAllBytes(Path.Combine(folder.FullName, $"{i:D3}.png"),
                SkiaImageCodec.Encode(new ImageShape(1, 28, 28), data.Pixels.AsSpan(i * data.ExampleSize, data.ExampleSize), ImageFileFormat.Png));
        }
        return ImageFolderSource.Open(Path.Combine(_dir.Path, "tree"), layout: FolderLayout.ClassThenUser);
    }

    private string Manifest(string name, params string[] lines)
    {
        var path = _dir.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void A_class_then_user_folder_tree_gives_each_image_the_user_folder_it_is_in()
    {
        using var source = ClassThenUser();
        Assert.Equal(2, source.Classes);
        var owners = FolderOwners.Of(source, FolderLayout.ClassThenUser);
        Assert.Equal(2, owners.UserCount);
        for (var i = 0; i < source.Count; i++) Assert.Equal(source.RelativePathOf(i).Split('/')[1], owners.UserId(owners.UserOf(i)));
    }

    [Fact]
    public void A_user_then_class_folder_tree_reads_classes_from_the_second_level()
    {
        var data = SyntheticImageDataset.Create(6, seed: 4, classes: 2);
        for (var i = 0; i < data.Count; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_dir.Path, "users", $"user{i % 3}", i % 2 == 0 ? "coat" : "shirt"));
            File.WriteAllBytes(Path.Combine(folder.FullName, $"{i}.png"),
                SkiaImageCodec.Encode(new ImageShape(1, 28, 28), data.Pixels.AsSpan(i * data.ExampleSize, data.ExampleSize), ImageFileFormat.Png));
        }
        using var source = ImageFolderSource.Open(Path.Combine(_dir.Path, "users"), layout: FolderLayout.UserThenClass);
        Assert.Equal(["coat", "shirt"], source.ClassNames);
        var owners = FolderOwners.Of(source, FolderLayout.UserThenClass);
        Assert.Equal(3, owners.UserCount);
        for (var i = 0; i < source.Count; i++)
        {
            var parts = source.RelativePathOf(i).Split('/');
            Assert.Equal(parts[0], owners.UserId(owners.UserOf(i)));
            Assert.Equal(parts[1] == "coat" ? 0 : 1, source.LabelOf(i));
        }
    }

    [Fact]
    public void An_image_outside_any_user_folder_is_refused_naming_it()
    {
        using (var source = ClassThenUser()) File.Copy(Path.Combine(source.Root, source.RelativePathOf(0)), Path.Combine(source.Root, "class0", "stray.png"));
        using var reopened = ImageFolderSource.Open(Path.Combine(_dir.Path, "tree"), layout: FolderLayout.ClassThenUser);
        var e = Assert.Throws<OwnershipException>(() => FolderOwners.Of(reopened, FolderLayout.ClassThenUser));
        Assert.Contains("class0/stray.png", e.Message);
        Assert.Contains("no owner", e.Message);
    }

    [Fact]
    public void A_csv_manifest_by_file_and_a_json_lines_manifest_by_sha256_give_the_same_owners()
    {
        using var source = ClassThenUser();
        var csv = Manifest("owners.csv", ["file,user", .. Enumerable.Range(0, source.Count).Select(i => $"{source.RelativePathOf(i)},u{i % 3}")]);
        var jsonl = Manifest("owners.jsonl",
            Enumerable.Range(0, source.Count)
                .Select(i => $"{{\"sha256\": \"{Sha256(Path.Combine(source.Root, source.RelativePathOf(i)))}\", \"user\": \"u{i % 3}\"}}")
                .ToArray());
        var byFile = OwnerManifest.Read(csv, source.Count, source);
        var byHash = OwnerManifest.Read(jsonl, source.Count, source);
        Assert.Equal(3, byFile.UserCount);
        for (var i = 0; i < source.Count; i++)
        {
            Assert.Equal($"u{i % 3}", byFile.UserId(byFile.UserOf(i)));
            Assert.Equal(byFile.UserId(byFile.UserOf(i)), byHash.UserId(byHash.UserOf(i)));
        }
    }

    [Fact]
    public void A_manifest_by_index_serves_sources_without_files()
    {
        var owners = OwnerManifest.Read(Manifest("i.jsonl", "{\"index\": 0, \"user\": 7}", "{\"index\": 1, \"user\": 7}", "{\"index\": 2, \"user\": \"x\"}"),
            3, files: null);
        Assert.Equal(2, owners.UserCount);
        Assert.Equal(owners.UserOf(0), owners.UserOf(1));
        Assert.Equal("7", owners.UserId(owners.UserOf(0)));
    }

    [Fact]
    public void An_example_without_an_owner_is_refused_naming_it()
    {
        using var source = ClassThenUser();
        var csv = Manifest("partial.csv", ["file,user", .. Enumerable.Range(1, source.Count - 1).Select(i => $"{source.RelativePathOf(i)},u")]);
        var e = Assert.Throws<OwnershipException>(() => OwnerManifest.Read(csv, source.Count, source));
        Assert.Contains(source.RelativePathOf(0), e.Message);
        Assert.Contains("no owner", e.Message);
    }

    [Fact]
    public void A_manifest_naming_a_missing_file_is_refused_naming_the_file_and_line()
    {
        using var source = ClassThenUser();
        var rows = Enumerable.Range(0, source.Count).Select(i => $"{source.RelativePathOf(i)},u");
        var csv = Manifest("missing.csv", ["file,user", .. rows, "class0/ghost.png,u"]);
        var e = Assert.Throws<OwnershipException>(() => OwnerManifest.Read(csv, source.Count, source));
        Assert.Contains("class0/ghost.png", e.Message);
        Assert.Contains($"line {source.Count + 2}", e.Message);
    }

    [Fact]
    public void An_example_given_two_owners_is_refused_naming_both()
    {
        using var source = ClassThenUser();
        var rows = Enumerable.Range(0, source.Count).Select(i => $"u,{source.RelativePathOf(i)}");
        var csv = Manifest("twice.csv", ["user,file", .. rows, $"v,{source.RelativePathOf(2)}"]);
        var e = Assert.Throws<OwnershipException>(() => OwnerManifest.Read(csv, source.Count, source));
        Assert.Contains(source.RelativePathOf(2), e.Message);
        Assert.Contains("u (line 4) and v", e.Message);
    }

    [Fact]
    public void A_manifest_without_a_user_column_or_naming_files_of_a_source_without_files_is_refused()
    {
        var header = Manifest("h.csv", "file,owner", "a.png,x");
        Assert.Contains("user column", Assert.Throws<OwnershipException>(() => OwnerManifest.Read(header, 1, null)).Message);
        Assert.Contains("by index", Assert.Throws<OwnershipException>(() => OwnerManifest.Read(Manifest("f.csv", "file,user", "a.png,x"), 1, null)).Message);
        Assert.Contains("does not exist", Assert.Throws<OwnershipException>(() => OwnerManifest.Read(_dir.File("none.csv"), 1, null)).Message);
    }

    [Fact]
    public void Synthetic_users_share_the_examples_evenly_and_the_seed_fixes_who_owns_what()
    {
        var a = SyntheticOwners.Assign(60, 6, seed: 1);
        Assert.Equal(6, a.UserCount);
        Assert.All(Enumerable.Range(0, 6), u => Assert.Equal(10, a.ExamplesOf(u).Count));
        var again = SyntheticOwners.Assign(60, 6, seed: 1);
        var other = SyntheticOwners.Assign(60, 6, seed: 2);
        Assert.Equal(Enumerable.Range(0, 60).Select(a.UserOf), Enumerable.Range(0, 60).Select(again.UserOf));
        Assert.NotEqual(Enumerable.Range(0, 60).Select(a.UserOf), Enumerable.Range(0, 60).Select(other.UserOf));
        Assert.Throws<OwnershipException>(() => SyntheticOwners.Assign(60, 0, seed: 1));
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
