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
        if (!builder.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(builder.Configuration["Jwt:Secret"]))
        {
            return null;
        }

        var folder = AppPaths.DataDirectory(builder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "development-jwt-secret");
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // readable by its owner only
            }

            try
            {
                using var writer = new StreamWriter(path, options);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        builder.Configuration["Jwt:Secret"] = File.ReadAllText(path).Trim();
        return new DevelopmentSigningKey(path);
    }
}
