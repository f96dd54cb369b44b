using System.Security.Cryptography;
using Cream.Api.Common;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// Zero-configuration start in Development: when <c>Jwt:Secret</c> is not set, a random key is
/// generated once, kept in the data folder and reused, so tokens survive restarts.
/// Never used outside Development, where a missing key stops the service.
/// </summary>
public sealed record DevelopmentSigningKey(string KeyPath)
{
    public static DevelopmentSigningKey? ApplyIfNeeded(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var algorithm = builder.Configuration["Jwt:Algorithm"];
        if (!builder.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(builder.Configuration["Jwt:Secret"])
            || (!string.IsNullOrEmpty(algorithm) && algorithm != "HS256"))
        {
            return null;
        }

        var folder = AppPaths.DataDirectory(builder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "development-jwt-secret");
        var secret = ReadKey(path) ?? CreateKey(path);
        builder.Configuration["Jwt:Secret"] = secret;
        return new DevelopmentSigningKey(path);
    }

    /// <summary>The kept key, or null when there is none or it is unusable (an interrupted write).</summary>
    private static string? ReadKey(string path)
    {
        var key = File.Exists(path) ? File.ReadAllText(path).Trim() : string.Empty;
        return JwtOptionsValidator.DescribeSecretProblem(key) is null ? key : null;
    }

    /// <summary>
    /// Writes a new key under an exclusive lock, beside the final path, and moves it into place,
    /// so that hosts starting together agree on one key and nobody reads a half-written file.
    /// </summary>
    private static string CreateKey(string path)
    {
        using var exclusive = Lock(path + ".lock");
        if (ReadKey(path) is { } written)
        {
            return written; // another host created it while we waited
        }

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by its owner only
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.Write(key);
        }

        File.Move(temporary, path, overwrite: true); // replaces only an unusable file: a usable one was returned above
        return key;
    }

    private static FileStream Lock(string lockPath)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(25);
            }
        }
    }
}
