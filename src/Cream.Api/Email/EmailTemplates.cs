using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Cream.Api.Email;

/// <summary>
/// The account emails, each as plain text and a small HTML page with inline styles (mail
/// clients drop style sheets). The caller builds the link from <c>Accounts__LinkBaseUrl</c>;
/// these only word it, and HTML-encode everything they insert.
/// </summary>
public static class EmailTemplates
{
    public static EmailMessage Verification(string to, string link, int validHours) => Build(to, link,
        subject: "Confirm your email address",
        heading: "Confirm your email address",
        intro: "Please confirm that this address is yours by opening the link below.",
        button: "Confirm email address",
        closing: $"The link works once and expires in {Count(validHours, "hour")}. If you did not sign up for Cream API, ignore this email.");

    public static EmailMessage PasswordReset(string to, string link, int validMinutes) => Build(to, link,
        subject: "Reset your password",
        heading: "Reset your password",
        intro: "Someone asked to reset the password of the Cream API account with this email address. Open the link below to choose a new one.",
        button: "Choose a new password",
        closing: $"The link works once and expires in {Count(validMinutes, "minute")}. If you did not ask for it, ignore this email: your password stays as it is.");

    /// <summary>Sent instead of a verification link when someone signs up with an address that already has an account.</summary>
    public static EmailMessage AlreadyRegistered(string to, string resetLink) => Build(to, resetLink,
        subject: "You already have an account",
        heading: "You already have an account",
        intro: "Someone, perhaps you, tried to sign up for Cream API with this email address, which already has an account. If you have forgotten your password, you can choose a new one.",
        button: "Choose a new password",
        closing: "If it was not you, ignore this email: nothing about your account has changed.");

    private static EmailMessage Build(string to, string link, string subject, string heading, string intro, string button, string closing)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("An email link must be an absolute http or https URL.", nameof(link));
        }

        var text = new StringBuilder()
            .Append("Hello,\n\n").Append(intro).Append("\n\n")
            .Append(link).Append("\n\n")
            .Append(closing).Append("\n\n-- \nCream API\n")
            .ToString();
        return new EmailMessage(to, subject, text, Html(heading, intro, link, button, closing));
    }

    private static string Html(string heading, string intro, string link, string button, string closing)
    {
        var html = HtmlEncoder.Default;
        const string paragraph = "margin:0 0 16px;font-size:15px;line-height:1.5";
        const string small = "margin:0 0 12px;font-size:13px;line-height:1.5;color:#555555";
        return new StringBuilder()
            .Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(html.Encode(heading)).Append("</title></head>\n")
            .Append("<body style=\"margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#1f2328\">\n")
            .Append("<div style=\"max-width:480px;margin:0 auto;padding:24px;background:#ffffff;border-radius:6px\">\n")
            .Append("<h1 style=\"margin:0 0 16px;font-size:20px\">").Append(html.Encode(heading)).Append("</h1>\n")
            .Append("<p style=\"").Append(paragraph).Append("\">").Append(html.Encode(intro)).Append("</p>\n")
            .Append("<p style=\"margin:24px 0\"><a href=\"").Append(html.Encode(link))
            .Append("\" style=\"display:inline-block;padding:12px 20px;background:#2f5bd3;color:#ffffff;border-radius:4px;text-decoration:none;font-size:15px\">")
            .Append(html.Encode(button)).Append("</a></p>\n")
            .Append("<p style=\"").Append(small).Append("\">If the button does not work, copy this address into your browser:<br>")
            .Append("<span style=\"word-break:break-all\">").Append(html.Encode(link)).Append("</span></p>\n")
            .Append("<p style=\"").Append(small).Append("\">").Append(html.Encode(closing)).Append("</p>\n")
            .Append("</div>\n</body></html>\n")
            .ToString();
    }

    private static string Count(int value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{value} {unit}{(value == 1 ? "" : "s")}");
}
