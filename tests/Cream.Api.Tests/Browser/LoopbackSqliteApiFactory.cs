using System.Net;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// As <see cref="SqliteApiFactory"/>, but on Kestrel at a real loopback port instead of the in-memory
/// test server, for a browser to reach. The port is chosen before start, so the public base (discovery,
/// the OpenAPI server, the links in emails) names the address the browser really uses.
/// </summary>
public sealed class LoopbackSqliteApiFactory : CreamApiFactory
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cream-test-{Guid.NewGuid():N}.db");
    private readonly int _port = TestServers.FreeLoopbackPort();
    private readonly string _pathBase;

    /// <param name="settings">Extra configuration, as <see cref="CreamApiFactory.Settings"/>.</param>
    /// <param name="pathBase">
    /// A prefix such as <c>/cream</c> that the public base carries and the service answers under, as
    /// behind a proxy that publishes it at <c>https://example.com/cream</c>; empty for none.
    /// </param>
    public LoopbackSqliteApiFactory(IReadOnlyDictionary<string, string?>? settings = null, string pathBase = "")
    {
        _pathBase = pathBase;
        BaseAddress = new Uri($"http://127.0.0.1:{_port}/");
        Settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Accounts:PublicBaseUrl"] = PublicBase,
        };
    }

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    /// <summary>The listening address, without the path base.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The configured public base URL: the listening address and the path base, no trailing slash.</summary>
    public string PublicBase => $"http://127.0.0.1:{_port}{_pathBase}";

    public override Task InitializeAsync()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        StartServer();
        return Task.CompletedTask;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_pathBase.Length > 0)
        {
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new PathBaseFilter(_pathBase)));
        }
    }

    protected override Task DropDatabaseAsync()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs before the service's own pipeline: a request under the prefix is served as if without it.</summary>
    private sealed class PathBaseFilter(string pathBase) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UsePathBase(pathBase);
            next(app);
        };
    }
}
