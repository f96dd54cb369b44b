using System.Security.Cryptography;
using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.Tokens;
using Cream.Api.Data;
using Cream.Api.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry.Metrics;

namespace Cream.Benchmarks;

/// <summary>
/// Cream's own registration (<c>AddData</c>, <c>AddAuth</c>, <c>AddAudit</c> and <c>AddMonitoring</c>, as <c>Program.cs</c> does), built
/// but not started, so benchmarks take the real singletons (keys, issuer, handler, bearer
/// options) from the container instead of constructing them by hand.
/// </summary>
public static class CreamHost
{
    public const string Issuer = "cream-api";
    public const string Audience = "cream-api";

    /// <summary>A fresh random HS256 secret (64 UTF-8 bytes), as an operator would set it.</summary>
    /// <summary>The library's own parameters doing what Cream's do (HS256, typ, iss, aud, exp, same key and skew).</summary>
    public static TokenValidationParameters EquivalentParameters(SecurityKey key, TimeSpan clockSkew) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidTypes = [AccessTokenKeys.AccessTokenType],
        ClockSkew = clockSkew,
        RequireAudience = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
    };

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <param name="connectionString">SQLite; <c>Data Source=:memory:</c> when no database is touched.</param>
    /// <param name="configure">Changes to the registrations, applied last (a benchmark's stand-ins).</param>
    public static WebApplication Build(string secret, string connectionString, string dataDirectory, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = "Benchmark",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Cream"] = connectionString,
            ["DataDirectory"] = dataDirectory,
            ["Jwt:Secret"] = secret,
            ["Jwt:Issuer"] = Issuer,
            ["Jwt:Audience"] = Audience,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddData();
        builder.AddAuth();
        builder.AddAudit();
        builder.AddMonitoring();
        configure?.Invoke(builder.Services);
        var app = builder.Build();
        app.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        // As in the service: the /metrics exporter listens, so the validation histogram is recorded.
        app.MapMonitoring();
        app.Services.GetRequiredService<MeterProvider>();
        return app;
    }

    /// <summary>A temp folder for one benchmark class (deleted by <see cref="DeleteFolder"/>).</summary>
    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "cream-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void DeleteFolder(string? folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (folder is not null && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Throws when a benchmark's setup would measure something other than success.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup check failed: {what}");
        }
    }
}
