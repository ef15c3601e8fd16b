//! The catalogue: cooperatives as shoppers see them, products and their
//! variants, stock, origin stories, harvest lots with their public trace
//! page, certifications, and Vietnamese search.

pub mod inputs;
pub mod queries;
pub mod service;
pub mod trace;

crate::stored_enum!(
    /// What kind of produce a product is.
    Category {
        Fruit => "FRUIT",
        Vegetable => "VEGETABLE",
        Tea => "TEA",
        Coffee => "COFFEE",
        RiceGrain => "RICE_GRAIN",
        Honey => "HONEY",
        MeatEggs => "MEAT_EGGS",
        Dairy => "DAIRY",
        DriedProcessed => "DRIED_PROCESSED",
        Other => "OTHER",
    }
);

crate::stored_enum!(
    /// Where a product stands: drafts are seen by their cooperative only.
    ProductStatus {
        /// Being prepared; only its cooperative sees it.
        Draft => "DRAFT",
        /// On sale and visible to shoppers.
        Active => "ACTIVE",
        /// No longer sold; hidden from shoppers.
        Archived => "ARCHIVED",
    }
);

crate::stored_enum!(
    /// The unit a variant is sold in.
    Unit {
        Kg => "KG",
        G => "G",
        Box => "BOX",
        Bunch => "BUNCH",
        Piece => "PIECE",
        Litre => "LITRE",
        Bottle => "BOTTLE",
        Bag => "BAG",
    }
);

crate::stored_enum!(
    /// A kind of certificate.
    CertificationKind {
        /// Vietnamese Good Agricultural Practices.
        Vietgap => "VIETGAP",
        /// GlobalG.A.P.
        Globalgap => "GLOBALGAP",
        /// Organic farming.
        Organic => "ORGANIC",
        /// One Commune One Product, rated 3 to 5 stars.
        Ocop => "OCOP",
        /// Anything else.
        Other => "OTHER",
    }
);

crate::stored_enum!(
    /// What a certificate covers.
    CertificationScope {
        Cooperative => "COOPERATIVE",
        Product => "PRODUCT",
        Lot => "LOT",
    }
);
