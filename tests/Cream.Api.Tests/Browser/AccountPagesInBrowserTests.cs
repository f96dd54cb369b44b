using System.Net;
using System.Runtime.CompilerServices;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Sessions;
using Cream.Api.Tests.Accounts;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cream.Api.Tests.Browser;

/// <summary>
/// The pages that account emails link to, in a real browser, opened from the links of messages that a
/// real SMTP server received. The service is published under a path base (<c>/cream</c>), and every
/// visit is checked to have asked only the service, under that base, with no console error or CSP
/// violation.
/// </summary>
public sealed class AccountPagesInBrowserTests(AccountPagesFixture fixture, ITestOutputHelper output) : IClassFixture<AccountPagesFixture>
{
    private const string NewPassword = "a completely new passphrase";
    private const string Changed = "Your password is changed. Every device was signed out. You can now sign in with the new password.";
    private const string ResetLinkInvalid = "This link is invalid, has expired or was already used. Ask for a new one from the app.";

    [Fact]
    public async Task The_verification_link_from_the_email_verifies_the_address_when_the_button_is_pressed()
    {
        var user = await fixture.Client.SignupAsync(ApiHelpers.NewEmail("page.verify"));
        var link = await fixture.LinkAsync(user.Email, "verify-email");
        Assert.StartsWith($"{fixture.Service.PublicBase}/account/verify-email?token=", link.ToString(), StringComparison.Ordinal);

        await VisitAsync(link, async page =>
        {
            await Expect(page.Page).ToHaveURLAsync($"{fixture.Service.PublicBase}/account/verify-email");
            await page.Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            // Opening the link, as a mail scanner may, changes nothing: pressing the button does.
            Assert.DoesNotContain(page.Requests, request => request.StartsWith("POST", StringComparison.Ordinal));
            Assert.False(await IsVerifiedAsync(user));

            var answer = await page.SubmitAsync(page.ConfirmEmailButton);

            await Expect(page.Status).ToHaveTextAsync("Your email is verified. You can close this page.");
            await Expect(page.ConfirmEmailButton).ToBeHiddenAsync();
            Assert.Equal(204, answer.Status);
            Assert.Null(await answer.Request.HeaderValueAsync("referer"));
        });
        Assert.True(await IsVerifiedAsync(user));
    }

    [Fact]
    public async Task The_reset_link_from_the_email_sets_a_password_that_signs_in_and_the_old_one_no_longer_does()
    {
        var (user, link) = await NewUserWithResetLinkAsync("page.reset");

        await VisitAsync(link, async page =>
        {
            await Expect(page.Page).ToHaveURLAsync($"{fixture.Service.PublicBase}/account/reset-password");

            var answer = await page.SetPasswordAsync(NewPassword);

            await Expect(page.Status).ToHaveTextAsync(Changed);
            await Expect(page.NewPassword).ToBeHiddenAsync();
            Assert.Equal(204, answer.Status);
            Assert.Null(await answer.Request.HeaderValueAsync("referer"));
        });
        using var withNew = await fixture.Client.PostLoginFormAsync(user.Email, NewPassword);
        using var withOld = await fixture.Client.PostLoginFormAsync(user.Email, user.Password);
        using var signedOut = await fixture.Service.CreateClient(user.AccessToken).GetAsync(fixture.BaseAddress + "api/auth/me");
        Assert.Equal(HttpStatusCode.OK, withNew.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, signedOut.StatusCode);
    }

    [Fact]
    public async Task A_reset_link_opened_again_after_use_says_that_it_no_longer_works()
    {
        var (user, link) = await NewUserWithResetLinkAsync("page.reset.again");
        await VisitAsync(link, async page =>
        {
            await page.SetPasswordAsync(NewPassword);
            await Expect(page.Status).ToHaveTextAsync(Changed);
        });

        await VisitAsync(link, async page =>
        {
            var answer = await page.SetPasswordAsync("yet another passphrase");

            Assert.Equal(400, answer.Status);
            await Expect(page.Alert).ToHaveTextAsync(ResetLinkInvalid);
            await Expect(page.NewPassword).ToBeHiddenAsync();
        });
        using var login = await fixture.Client.PostLoginFormAsync(user.Email, NewPassword);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task A_weak_password_shows_the_services_reason_and_the_link_still_works()
    {
        var (_, link) = await NewUserWithResetLinkAsync("page.reset.weak");

        await VisitAsync(link, async page =>
        {
            var weak = await page.SetPasswordAsync("password");

            Assert.Equal(422, weak.Status);
            await Expect(page.Alert).ToHaveTextAsync(PasswordPolicy.Common);
            await Expect(page.ChangePasswordButton).ToBeEnabledAsync();
            var strong = await page.SetPasswordAsync(NewPassword);
            Assert.Equal(204, strong.Status);
            await Expect(page.Status).ToHaveTextAsync(Changed);
        });
    }

    [Theory]
    [InlineData("short", "short", "The password must be 8 to 128 characters long.")]
    [InlineData(NewPassword, NewPassword + "!", "The two passwords do not match.")]
    public Task A_password_the_page_can_judge_is_refused_there_and_nothing_is_sent(string password, string repeated, string hint) =>
        VisitAsync(fixture.PageAddress("reset-password", $"?token={UnknownToken()}"), async page =>
        {
            await page.NewPassword.FillAsync(password);
            await page.RepeatedPassword.FillAsync(repeated);
            await page.ChangePasswordButton.ClickAsync();

            await Expect(page.Alert).ToHaveTextAsync(hint);
            Assert.DoesNotContain(page.Requests, request => request.StartsWith("POST", StringComparison.Ordinal));
        });

    [Fact]
    public Task The_button_is_disabled_while_the_request_is_in_flight() =>
        VisitAsync(fixture.PageAddress("reset-password", $"?token={UnknownToken()}"), async page =>
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await page.Page.RouteAsync("**/api/auth/reset-password", async route =>
            {
                await release.Task;
                await route.ContinueAsync();
            });
            await page.NewPassword.FillAsync(NewPassword);
            await page.RepeatedPassword.FillAsync(NewPassword);

            await page.ChangePasswordButton.ClickAsync();
            await Expect(page.ChangePasswordButton).ToBeDisabledAsync();
            await page.RepeatedPassword.PressAsync("Enter");
            release.SetResult();

            // A token no link carried: the service says 400, and the page that the link is no good.
            await Expect(page.Alert).ToHaveTextAsync(ResetLinkInvalid);
            Assert.Single(page.Requests, request => request.StartsWith("POST", StringComparison.Ordinal));
        });

    [Theory]
    [InlineData("verify-email", "This link is invalid or has expired. Ask for a new one from the app.")]
    [InlineData("reset-password", ResetLinkInvalid)]
    public Task A_page_opened_without_a_token_says_at_once_that_the_link_does_not_work(string name, string message) =>
        VisitAsync(fixture.PageAddress(name), async page =>
        {
            await Expect(page.Alert).ToHaveTextAsync(message);
            await Expect(page.Page.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
            Assert.DoesNotContain(page.Requests, request => request.StartsWith("POST", StringComparison.Ordinal));
        });

    [Theory]
    [InlineData("verify-email")]
    [InlineData("reset-password")]
    public Task Each_page_fits_a_phone_screen_without_sideways_scrolling(string name) =>
        VisitAsync(fixture.PageAddress(name, $"?token={UnknownToken()}"), async page =>
        {
            await Expect(page.Page.GetByRole(AriaRole.Button)).ToBeVisibleAsync();

            var width = await page.Page.EvaluateAsync<int>("() => innerWidth");
            var scrollWidth = await page.Page.EvaluateAsync<int>("() => document.scrollingElement.scrollWidth");
            // A phone lays a page without a viewport meta out 980 px wide, and then nothing scrolls either.
            Assert.Equal(375, width);
            Assert.True(scrollWidth <= width, $"the page is {scrollWidth} px wide in a {width} px window");
            foreach (var control in await page.Page.Locator("input, button").AllAsync())
            {
                var box = (await control.BoundingBoxAsync())!;
                Assert.True(box.X >= 0 && box.X + box.Width <= width, $"a control spans {box.X} to {box.X + box.Width} px");
            }
        }, phone: true);

    [Fact]
    public Task The_pages_policy_keeps_injected_inline_script_from_running() =>
        VisitAsync(fixture.PageAddress("reset-password", $"?token={UnknownToken()}"), async page =>
        {
            await Expect(page.ChangePasswordButton).ToBeVisibleAsync();

            await page.Page.RunAndWaitForConsoleMessageAsync(
                () => page.Page.EvaluateAsync("""
                    () => {
                      const script = document.createElement('script');
                      script.textContent = 'window.injected = true';
                      document.head.append(script);
                    }
                    """),
                new() { Predicate = message => message.Text.StartsWith("CSP violation: script-src", StringComparison.Ordinal) });

            Assert.False(await page.Page.EvaluateAsync<bool>("() => window.injected === true"));
        }, clean: false);

    /// <summary>Signs up, asks for a reset through the API, and returns the user and the link its email carries.</summary>
    private async Task<(TestUser User, Uri Link)> NewUserWithResetLinkAsync(string prefix)
    {
        var user = await fixture.Client.SignupAsync(ApiHelpers.NewEmail(prefix));
        using var forgot = await fixture.Client.ForgotPasswordAsync(user.Email);
        Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        var link = await fixture.LinkAsync(user.Email, "reset-password");
        Assert.StartsWith($"{fixture.Service.PublicBase}/account/reset-password?token=", link.ToString(), StringComparison.Ordinal);
        return (user, link);
    }

    private async Task<bool> IsVerifiedAsync(TestUser user)
    {
        using var me = await fixture.Service.CreateClient(user.AccessToken).GetAsync(fixture.BaseAddress + "api/auth/me");
        return (await me.JsonAsync()).GetProperty("is_verified").GetBoolean();
    }

    /// <summary>A token of the right form that no link carried.</summary>
    private static string UnknownToken() => RefreshTokenCrypto.NewToken();

    /// <summary>
    /// Runs a test on a fresh visit of <paramref name="address"/>; then (unless <paramref name="clean"/> is
    /// false) checks that the browser asked nothing but the service under its path base and reported no
    /// fault. On failure, says where a screenshot of the page is.
    /// </summary>
    private async Task VisitAsync(Uri address, Func<AccountPage, Task> test, bool phone = false, bool clean = true, [CallerMemberName] string name = "")
    {
        await using var page = await AccountPage.OpenAsync(fixture.Browser, address, phone);
        try
        {
            await test(page);
            if (clean)
            {
                AssertCleanVisit(page);
            }
        }
        catch
        {
            output.WriteLine($"The page at the failure: {await page.ScreenshotAsync(name)}");
            output.WriteLine($"Requests: {string.Join(", ", page.Requests)}; faults: {string.Join(" | ", page.Faults)}");
            throw;
        }
    }

    private void AssertCleanVisit(AccountPage page)
    {
        var origin = fixture.BaseAddress.GetLeftPart(UriPartial.Authority);
        var under = new Uri(fixture.Service.PublicBase).AbsolutePath + "/";
        Assert.NotEmpty(page.Requests);
        Assert.All(page.Requests, request =>
        {
            var url = new Uri(request[(request.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            Assert.Equal(origin, url.GetLeftPart(UriPartial.Authority));
            Assert.StartsWith(under, url.AbsolutePath, StringComparison.Ordinal);
        });
        Assert.Empty(page.Faults);
    }
}
