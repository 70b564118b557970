namespace Veil.DataLoading.Sources;

/// <summary>How an image folder's levels name classes and, for user-level privacy, the person each image belongs to.</summary>
public enum FolderLayout
{
    /// <summary>root/&lt;class&gt;/&lt;file&gt;: no owners in the tree.</summary>
    Class,

    /// <summary>root/&lt;class&gt;/&lt;user&gt;/&lt;file&gt;.</summary>
    ClassThenUser,

    /// <summary>root/&lt;user&gt;/&lt;class&gt;/&lt;file&gt;.</summary>
    UserThenClass,
}
