using System.Net;
using System.Text.Json;
using Cream.Api.Common;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;

namespace Cream.Api.Tests.Keys;

/// <summary>The discovery document's URLs come from <c>Accounts__PublicBaseUrl</c>, never from the request's <c>Host</c>.</summary>
public sealed class DiscoveryUrlTests : IDisposable
{
    private static readonly string[] UrlMembers = ["jwks_uri", "token_endpoint", "revocation_endpoint", "introspection_endpoint", "service_documentation"];

    private readonly TempDirectory _folder = new();

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-authorization-server")]
    public async Task Discovery_names_only_the_configured_base_whatever_the_Host_header_says(string path)
    {
        await using var service = await StartAsync(new() { ["Accounts:PublicBaseUrl"] = "https://cream.example.com" });

        var discovery = await GetAsync(service, path);

        Assert.Equal(HttpStatusCode.OK, discovery.Status);
        Assert.Equal("https://cream.example.com/.well-known/jwks.json", discovery.Body.GetProperty("jwks_uri").GetString());
        Assert.Equal("https://cream.example.com/api/auth/login", discovery.Body.GetProperty("token_endpoint").GetString());
        Assert.All(UrlMembers, member => Assert.StartsWith("https://cream.example.com/", discovery.Body.GetProperty(member).GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain("evil.example", discovery.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_path_base_in_the_setting_prefixes_every_endpoint_and_its_trailing_slash_is_dropped()
    {
        await using var service = await StartAsync(new() { ["Accounts:PublicBaseUrl"] = "https://example.com/cream/" });

        var discovery = await GetAsync(service, "/.well-known/openid-configuration");

        Assert.Equal("https://example.com/cream/.well-known/jwks.json", discovery.Body.GetProperty("jwks_uri").GetString());
        Assert.Equal("https://example.com/cream/api/auth/revoke", discovery.Body.GetProperty("revocation_endpoint").GetString());
        Assert.Equal("https://example.com/cream/scalar", discovery.Body.GetProperty("service_documentation").GetString());
        Assert.All(UrlMembers, member => Assert.StartsWith("https://example.com/cream/", discovery.Body.GetProperty(member).GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/.well-known/openid-configuration")]
    [InlineData("/.well-known/oauth-authorization-server")]
    public async Task In_production_without_the_setting_discovery_answers_503_naming_it_and_the_jwks_still_answers(string path)
    {
        await using var service = await StartAsync(new() { ["Accounts:PublicBaseUrl"] = "" }, Environments.Production);

        var discovery = await GetAsync(service, path);
        using var jwks = await service.CreateClient().GetAsync("/.well-known/jwks.json");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, discovery.Status);
        Assert.Equal("Accounts__PublicBaseUrl is not configured: set it to this service's public URL, such as https://cream.example.com.",
            discovery.Body.GetProperty("detail").GetString());
        Assert.DoesNotContain("evil.example", discovery.Text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        Assert.Equal(0, (await jwks.JsonAsync()).GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task The_openapi_document_names_the_configured_base_as_its_server_whatever_the_Host_header_says()
    {
        await using var service = await StartAsync(new() { ["Accounts:PublicBaseUrl"] = "https://example.com/cream" }, Environments.Development);

        var document = await GetAsync(service, "/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, document.Status);
        var server = Assert.Single(document.Body.GetProperty("servers").EnumerateArray());
        Assert.Equal("https://example.com/cream", server.GetProperty("url").GetString());
        Assert.DoesNotContain("evil.example", document.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task In_development_without_the_setting_discovery_names_the_address_the_service_listens_on()
    {
        using var process = ServiceProcess.StartInDevelopment(_folder.Path); // listens on http://127.0.0.1:0
        try
        {
            var url = await ServiceProcess.WaitForListeningAddressAsync(process);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
            request.Headers.Host = "evil.example";

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var discovery = await response.JsonAsync();
            Assert.Equal($"{url}/.well-known/jwks.json", discovery.GetProperty("jwks_uri").GetString());
            Assert.All(UrlMembers, member => Assert.StartsWith(url + "/", discovery.GetProperty(member).GetString(), StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("http://+:5000", "http://localhost:5000")]
    [InlineData("http://*:8080", "http://localhost:8080")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://[::]:5000", "http://localhost:5000")]
    [InlineData("https://127.0.0.1:5001", "https://127.0.0.1:5001")]
    [InlineData("http://localhost:5080/cream/", "http://localhost:5080/cream")]
    public void A_listen_address_becomes_a_base_url_with_a_wildcard_host_read_as_localhost(string address, string expected)
    {
        Assert.Equal(expected, PublicUrls.FromListenAddresses([address]));
    }

    [Fact]
    public void The_first_usable_listen_address_is_the_base()
    {
        Assert.Equal("http://localhost:5080", PublicUrls.FromListenAddresses(["http://unix:/tmp/cream.sock", "http://localhost:5080", "http://127.0.0.1:5081"]));
        Assert.Null(PublicUrls.FromListenAddresses(["http://unix:/tmp/cream.sock"]));
        Assert.Null(PublicUrls.FromListenAddresses([]));
    }

    [Theory]
    [InlineData("Development", null, null, "http://localhost:5000", "http://localhost:5000/account")]
    [InlineData("Development", "https://cream.example.com/", null, "https://cream.example.com", "https://cream.example.com/account")]
    [InlineData("Production", "https://example.com/cream", "https://app.example.com/account/", "https://example.com/cream", "https://app.example.com/account")]
    [InlineData("Production", null, "https://app.example.com/account", null, "https://app.example.com/account")]
    [InlineData("Production", null, null, null, null)]
    [InlineData("Staging", " ", "", null, null)]
    public void The_base_is_the_setting_else_in_development_the_first_listen_address_and_links_default_under_it(
        string environment, string? configured, string? links, string? expectedBase, string? expectedLinks)
    {
        var urls = new PublicUrls(configured, links, new HostingEnvironment { EnvironmentName = environment }, new ListeningServer("http://+:5000"));

        Assert.Equal(expectedBase, urls.Base);
        Assert.Equal(expectedLinks, urls.LinkBase);
    }

    /// <summary>Asks with a hostile <c>Host</c> (and the forwarded headers a proxy would add), as an attacker would.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body, string Text)> GetAsync(SqliteApiFactory service, string path)
    {
        using var client = service.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "http");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone(), text);
    }

    private static async Task<SqliteApiFactory> StartAsync(Dictionary<string, string?> settings, string? environment = null)
    {
        var service = new SqliteApiFactory { Settings = settings, EnvironmentName = environment ?? "Testing" };
        await service.InitializeAsync();
        return service;
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A server that reports the addresses it listens on, as Kestrel does once started.</summary>
    private sealed class ListeningServer : IServer
    {
        public ListeningServer(params string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
