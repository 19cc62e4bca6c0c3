from django.db import migrations, models

# The generic chart's accounts whose cash-flow class is not the one their type and role imply;
# companies set up before the field existed get them too, when the account is still the template's.
GENERIC = {
    ("1090", "Outstanding receipts and payments"): "cash",
    ("1500", "Equipment"): "investing",
    ("1590", "Accumulated depreciation"): "non_cash",
    ("2500", "Bank loans"): "financing",
}


def classify_generic_accounts(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    for (code, name), cash_flow in GENERIC.items():
        Account.objects.filter(code=code, name=name, cash_flow="").update(cash_flow=cash_flow)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0006_account_stock_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="cash_flow",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "By type and function"),
                    ("cash", "Cash and cash equivalents"),
                    ("working_capital", "Working capital"),
                    ("non_cash", "Non-cash items"),
                    ("investing", "Investing activities"),
                    ("financing", "Financing activities"),
                    ("result", "Result of the period"),
                ],
                default="",
                max_length=16,
                verbose_name="cash-flow class",
            ),
        ),
        migrations.RunPython(classify_generic_accounts, migrations.RunPython.noop),
    ]
