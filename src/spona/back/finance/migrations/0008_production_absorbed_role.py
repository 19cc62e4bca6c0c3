from django.db import migrations, models

# Companies whose chart already had a work-in-progress account (set up before this role existed)
# get the template's absorption account, so production can balance work in progress from the
# first order after the upgrade; a company that used the code 5300 for something else gets the
# next free code under the same group. Charts without work in progress are left alone: they have
# no stock roles, and production posts no entries for them.
CODE, NAME = 5300, "Production costs absorbed"


def add_absorption_accounts(apps, schema_editor):
    Account = apps.get_model("finance", "Account")
    for wip in Account.objects.filter(role="wip").order_by("company_id", "code"):
        accounts = Account.objects.filter(company_id=wip.company_id)
        if accounts.filter(role="production_absorbed").exists():
            continue
        taken = set(accounts.values_list("code", flat=True))
        code = next(str(c) for c in range(CODE, CODE + 1000) if str(c) not in taken)
        group = accounts.filter(code="5", is_group=True, type="expense").first()
        Account.objects.create(
            company_id=wip.company_id, code=code, name=NAME, type="expense", role="production_absorbed", parent=group
        )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0007_account_cash_flow"),
    ]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "None"),
                    ("receivable", "Receivable"),
                    ("payable", "Payable"),
                    ("bank", "Bank"),
                    ("cash", "Cash"),
                    ("tax_output", "Output tax"),
                    ("tax_input", "Input tax"),
                    ("stock", "Stock"),
                    ("stock_input", "Goods received not invoiced"),
                    ("wip", "Work in progress"),
                    ("cogs", "Cost of goods sold"),
                    ("price_difference", "Purchase price differences"),
                    ("stock_loss", "Stock losses and adjustments"),
                    ("production_absorbed", "Production costs absorbed"),
                    ("retained_earnings", "Retained earnings"),
                    ("current_earnings", "Current year earnings"),
                    ("fx_gain", "Exchange gain"),
                    ("fx_loss", "Exchange loss"),
                    ("write_off", "Write-off"),
                ],
                default="",
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(add_absorption_accounts, migrations.RunPython.noop),
    ]
