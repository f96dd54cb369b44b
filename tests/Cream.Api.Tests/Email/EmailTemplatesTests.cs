using Cream.Api.Email;

namespace Cream.Api.Tests.Email;

/// <summary>The account emails: the link in both bodies, the validity worded, everything inserted into HTML encoded.</summary>
public sealed class EmailTemplatesTests
{
    private const string Link = "https://app.example.com/account/verify-email?token=abc&lang=en";

    public static TheoryData<string, EmailMessage> Every => new()
    {
        { "verification", EmailTemplates.Verification("ann@example.com", Link, 24) },
        { "reset", EmailTemplates.PasswordReset("ann@example.com", Link, 30) },
        { "already registered", EmailTemplates.AlreadyRegistered("ann@example.com", Link) },
    };

    [Theory]
    [MemberData(nameof(Every))]
    public void Each_carries_the_link_in_the_text_and_encoded_in_the_HTML(string name, EmailMessage message)
    {
        Assert.Equal("ann@example.com", message.To);
        Assert.Contains($"\n{Link}\n", message.Text, StringComparison.Ordinal);
        Assert.Contains("href=\"https://app.example.com/account/verify-email?token=abc&amp;lang=en\"", message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("&lang", message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", message.Html, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("<!DOCTYPE html>", message.Html, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(message.Subject), name);
    }

    [Fact]
    public void The_validity_is_worded_in_the_unit_given()
    {
        Assert.Contains("expires in 24 hours", EmailTemplates.Verification("a@example.com", Link, 24).Text, StringComparison.Ordinal);
        Assert.Contains("expires in 1 hour.", EmailTemplates.Verification("a@example.com", Link, 1).Text, StringComparison.Ordinal);
        Assert.Contains("expires in 30 minutes", EmailTemplates.PasswordReset("a@example.com", Link, 30).Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markup_in_a_link_is_encoded_not_rendered()
    {
        var message = EmailTemplates.PasswordReset("a@example.com", "https://app.example.com/r?token=\"><script>alert(1)</script>", 30);

        Assert.DoesNotContain("<script>", message.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("token=\"", message.Html, StringComparison.Ordinal);
        Assert.Contains("token=&quot;&gt;&lt;script&gt;", message.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/account/verify-email?token=abc")]
    [InlineData("ftp://example.com/x")]
    public void A_link_that_is_not_absolute_http_or_https_is_refused(string link) =>
        Assert.Throws<ArgumentException>(() => EmailTemplates.Verification("a@example.com", link, 24));
}
