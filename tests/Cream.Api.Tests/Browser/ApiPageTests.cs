using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// The interactive API page at <c>/scalar</c> in a real browser, as a developer uses it: nothing set by
/// hand, nothing loaded from elsewhere.
/// </summary>
public sealed class ApiPageTests(ApiPageFixture fixture, ITestOutputHelper output) : IClassFixture<ApiPageFixture>
{
    [Fact]
    public Task Signing_in_on_the_api_page_with_the_password_flow_calls_me_with_200() => VisitAsync(async page =>
    {
        var user = await fixture.Client.SignupAsync();

        await page.Authentication.GetByRole(AriaRole.Combobox, new() { Name = "Username" }).FillAsync(user.Email);
        await page.Authentication.GetByRole(AriaRole.Textbox, new() { Name = "Password", Exact = true }).FillAsync(user.Password);
        var login = await page.Page.RunAndWaitForResponseAsync(
            () => page.Authentication.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync(),
            response => new Uri(response.Url).AbsolutePath == "/api/auth/login");
        var me = await page.SendMeAsync();

        // The password grant as the contract has it: the form, and no client authentication.
        Assert.Equal(200, login.Status);
        Assert.Null(await login.Request.HeaderValueAsync("authorization"));
        Assert.Equal(
            ["grant_type", "password", "username"],
            login.Request.PostData!.Split('&').Select(pair => pair.Split('=')[0]).Order());
        using var tokens = JsonDocument.Parse(await login.TextAsync());
        var issued = tokens.RootElement.GetProperty("access_token").GetString();
        Assert.Equal($"Bearer {issued}", await me.Request.HeaderValueAsync("authorization"));
        Assert.Equal(200, me.Status);
        await Expect(page.ApiClient.GetByRole(AriaRole.Region, new() { Name = "Response" })).ToContainTextAsync(user.Email);
        AssertOnlyTheServiceWasAsked(page);
    });

    [Fact]
    public Task Pasting_a_token_from_signup_on_the_api_page_calls_me_with_200() => VisitAsync(async page =>
    {
        var user = await fixture.Client.SignupAsync();

        await page.Authentication.GetByRole(AriaRole.Textbox, new() { Name = "Bearer Token" }).FillAsync(user.AccessToken);
        var me = await page.SendMeAsync();

        Assert.Equal($"Bearer {user.AccessToken}", await me.Request.HeaderValueAsync("authorization"));
        Assert.Equal(200, me.Status);
        await Expect(page.ApiClient.GetByRole(AriaRole.Region, new() { Name = "Response" })).ToContainTextAsync(user.Email);
        AssertOnlyTheServiceWasAsked(page);
    });

    [Fact]
    public Task Calling_me_from_the_api_page_without_signing_in_sends_no_credentials() => VisitAsync(async page =>
    {
        var me = await page.SendMeAsync();

        Assert.Null(await me.Request.HeaderValueAsync("authorization"));
        Assert.Equal(401, me.Status);
        await Expect(page.ApiClient.GetByRole(AriaRole.Region, new() { Name = "Response" })).ToContainTextAsync("Not authenticated");
    });

    [Fact]
    public Task The_api_page_loads_nothing_from_outside_the_service() => VisitAsync(async page =>
    {
        await Expect(page.Authentication).ToBeVisibleAsync();
        await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // The recording saw the page's own assets, so an empty list cannot pass for a clean one.
        Assert.Contains(page.Requests, url => new Uri(url).AbsolutePath == "/openapi/v1.json");
        AssertOnlyTheServiceWasAsked(page);
    });

    [Fact]
    public Task The_password_flow_on_the_api_page_asks_for_no_client_id_or_secret() => VisitAsync(async page =>
    {
        await Expect(page.Authentication.GetByRole(AriaRole.Combobox, new() { Name = "Username" })).ToBeVisibleAsync();

        var clientFields = page.Authentication.GetByText(new Regex("client", RegexOptions.IgnoreCase));
        foreach (var field in await clientFields.AllAsync())
        {
            Assert.False(await field.IsVisibleAsync(), $"visible: {await field.TextContentAsync()}");
        }
    });

    private void AssertOnlyTheServiceWasAsked(ApiPage page)
    {
        var service = fixture.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.All(page.Requests, url => Assert.Equal(service, new Uri(url).GetLeftPart(UriPartial.Authority)));
    }

    /// <summary>Runs a test on a fresh visit of the page; on failure, says where a screenshot of it is.</summary>
    private async Task VisitAsync(Func<ApiPage, Task> test, [CallerMemberName] string name = "")
    {
        await using var page = await fixture.OpenApiPageAsync();
        try
        {
            await test(page);
        }
        catch
        {
            output.WriteLine($"The page at the failure: {await page.ScreenshotAsync(name)}");
            throw;
        }
    }
}
