package commerce

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// Shops whose order webhooks Kesher receives.
const (
	ShopShopify     = "shopify"
	ShopWooCommerce = "woocommerce"
)

// shopSettingsKey is the commerce_settings row of the webhook secrets.
const shopSettingsKey = "shop"

// ShopSettings tell which shop webhook secrets are configured; the secrets
// themselves are never returned.
type ShopSettings struct {
	ShopifySecretSet     bool `json:"shopify_secret_set"`
	WooCommerceSecretSet bool `json:"woocommerce_secret_set"`
}

// ShopSettingsInput sets the webhook secrets: a field left out keeps the
// stored secret, "" removes it (the shop's webhook is then refused).
type ShopSettingsInput struct {
	ShopifySecret     *string `json:"shopify_secret"`
	WooCommerceSecret *string `json:"woocommerce_secret"`
}

// MaxSecretLength bounds a webhook secret, in bytes.
const MaxSecretLength = 500

// shopSecrets is the stored JSON: sealed secrets by shop.
type shopSecrets map[string]string

func (s *Service) loadShopSecrets(ctx context.Context, q db.Querier) (shopSecrets, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM commerce_settings WHERE key = ?`, shopSettingsKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return shopSecrets{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("commerce: load shop settings: %w", err)
	}
	m := shopSecrets{}
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("commerce: decode shop settings: %w", err)
	}
	return m, nil
}

// ShopSettings returns which webhook secrets are set.
func (s *Service) ShopSettings(ctx context.Context) (ShopSettings, error) {
	m, err := s.loadShopSecrets(ctx, s.db.R())
	return ShopSettings{ShopifySecretSet: m[ShopShopify] != "", WooCommerceSecretSet: m[ShopWooCommerce] != ""}, err
}

// SetShopSettings stores the webhook secrets sealed with the secret box and
// records an audit entry (never the secrets). Errors: *errs.ValidationError.
func (s *Service) SetShopSettings(ctx context.Context, actor audit.Actor, in ShopSettingsInput) (ShopSettings, error) {
	var c errs.Checker
	for field, v := range map[string]*string{"shopify_secret": in.ShopifySecret, "woocommerce_secret": in.WooCommerceSecret} {
		c.Check(v == nil || len(*v) <= MaxSecretLength, field, "too_long", "at most %d bytes", MaxSecretLength)
	}
	if err := c.Err(); err != nil {
		return ShopSettings{}, err
	}
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		m, err := s.loadShopSecrets(ctx, tx)
		if err != nil {
			return err
		}
		changes := map[string]audit.Change{}
		for shop, v := range map[string]*string{ShopShopify: in.ShopifySecret, ShopWooCommerce: in.WooCommerceSecret} {
			if v == nil {
				continue
			}
			was := m[shop] != ""
			if *v == "" {
				delete(m, shop)
			} else {
				m[shop] = s.secrets.Seal(*v)
			}
			changes[shop+"_secret_set"] = audit.Change{From: was, To: *v != ""}
		}
		b, _ := json.Marshal(m)
		if _, err := tx.Exec(ctx, `INSERT INTO commerce_settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			shopSettingsKey, string(b), s.Now().UnixMilli()); err != nil {
			return fmt.Errorf("commerce: store shop settings: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "commerce.shop_settings.updated", EntityType: "commerce_settings", Changes: changes})
	})
	if err != nil {
		return ShopSettings{}, err
	}
	return s.ShopSettings(ctx)
}

// ShopSecret returns the webhook secret of shop (ShopShopify,
// ShopWooCommerce), "" when none is configured.
func (s *Service) ShopSecret(ctx context.Context, shop string) (string, error) {
	m, err := s.loadShopSecrets(ctx, s.db.R())
	if err != nil || m[shop] == "" {
		return "", err
	}
	return s.secrets.Open(m[shop])
}
