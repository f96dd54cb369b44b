using Cream.Api.Accounts;
using Cream.Api.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Cream.Api.Tests.Accounts;

/// <summary>The account URLs are absolute http or https or unset; anything else is one line naming the variable.</summary>
public sealed class AccountsSettingsTests
{
    [Theory]
    [InlineData("PublicBaseUrl", "cream.example.com")]
    [InlineData("PublicBaseUrl", "/cream")]
    [InlineData("PublicBaseUrl", "ftp://cream.example.com")]
    [InlineData("PublicBaseUrl", "file:///srv/cream")]
    [InlineData("PublicBaseUrl", "https://cream.example.com/?next=1")]
    [InlineData("PublicBaseUrl", "https://cream.example.com?")]
    [InlineData("PublicBaseUrl", "https://cream.example.com/#top")]
    [InlineData("PublicBaseUrl", "https://admin:secret@cream.example.com")]
    [InlineData("LinkBaseUrl", "account")]
    [InlineData("LinkBaseUrl", "javascript:alert(1)")]
    public void A_url_that_is_not_an_absolute_http_base_stops_start_up_with_one_line_naming_it(string key, string value)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Accounts:{key}"] = value }));

        // The same words whatever the value, which is not echoed: a mistyped variable could hold a secret.
        var example = key == "PublicBaseUrl" ? "https://cream.example.com" : "https://app.example.com/account";
        Assert.Equal($"Accounts__{key} must be an absolute http or https URL such as {example}, without query, fragment or user info.",
            Assert.Single(failure.Failures));
    }

    [Fact]
    public void Both_bad_urls_are_named_together()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Accounts:PublicBaseUrl"] = "x", ["Accounts:LinkBaseUrl"] = "y" }));

        Assert.Equal(2, failure.Failures.Count());
        Assert.Contains("Accounts__PublicBaseUrl", Settings.DescribeFailure(failure), StringComparison.Ordinal);
        Assert.Contains("Accounts__LinkBaseUrl", Settings.DescribeFailure(failure), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("https://cream.example.com", null)]
    [InlineData("http://localhost:5080/", null)]
    [InlineData("https://example.com/cream/", "https://app.example.com/account")]
    public void Absolute_http_urls_with_or_without_a_path_are_accepted_and_unset_is_allowed(string? publicBase, string? links)
    {
        var options = Bind(new() { ["Accounts:PublicBaseUrl"] = publicBase, ["Accounts:LinkBaseUrl"] = links });

        Assert.Equal(publicBase, options.PublicBaseUrl);
        Assert.Equal(links, options.LinkBaseUrl);
    }

    private static AccountsOptions Bind(Dictionary<string, string?> values)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values);
        builder.AddAccounts();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<AccountsOptions>>().Value;
    }
}
