using Veil.DataLoading.Sources;

namespace Veil.DataLoading.Ownership;

/// <summary>Owners read from a user level of an image folder tree (root/&lt;class&gt;/&lt;user&gt;/… or root/&lt;user&gt;/&lt;class&gt;/…).</summary>
public static class FolderOwners
{
    public static ExampleOwners Of(IExampleFiles files, FolderLayout layout)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (layout == FolderLayout.Class)
            throw new OwnershipException(
                "veil.data.owners.from = folder needs a user level in the tree: set veil.data.owners.folder-layout to class/user or user/class");
        var owners = new string?[files.Count];
        for (var i = 0; i < owners.Length; i++)
        {
            var parts = files.RelativePathOf(i).Split('/');
            owners[i] = layout switch
            {
                FolderLayout.ClassThenUser => parts.Length == 3 ? parts[1] : null,
                _ => parts.Length == 3 ? parts[0] : null,
            };
        }
        return ExampleOwners.FromUserIds(owners, i => $"example {i} ({files.RelativePathOf(i)}, not in a user folder)");
    }
}
