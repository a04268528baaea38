namespace Custos.Hosting;

/// <summary>Folders and files only the server's own account can read (0700, 0600), for the working files that hold clear values.</summary>
public static class PrivateFolder
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (and its parents) private to the owner; an existing one is made private.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, Owner);
        File.SetUnixFileMode(path, Owner);
    }

    /// <summary>Options for a new file readable and writable by the owner only.</summary>
    public static FileStreamOptions NewFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>Deletes everything in the folder, keeping the folder.</summary>
    public static void Empty(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
    }
}
