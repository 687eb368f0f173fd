//! What the generated requests and replies say, in the buyer's language.

use super::people::{Buyer, Random};

/// The buyer's request, in their language.
pub(super) fn request_text(random: &mut Random, buyer: &Buyer, product: &str) -> String {
    let quantity = 1 + random.below(40);
    let company = buyer.company.as_deref().unwrap_or("");
    match buyer.language {
        "de" => format!(
            "Guten Tag, wir benötigen {quantity} Stück {product} für ein Projekt. Bitte senden Sie uns ein Angebot mit Lieferzeit. {company}"
        ),
        "fr" => format!(
            "Bonjour, nous cherchons {quantity} {product} pour un chantier. Pouvez-vous nous envoyer un devis avec le délai de livraison ? {company}"
        ),
        "es" => format!(
            "Hola, necesitamos {quantity} unidades de {product} para una obra. ¿Pueden enviarnos un presupuesto con plazo de entrega? {company}"
        ),
        "it" => format!(
            "Buongiorno, ci servono {quantity} pezzi di {product} per un cantiere. Potete inviarci un preventivo con i tempi di consegna? {company}"
        ),
        "pt" => format!(
            "Bom dia, precisamos de {quantity} unidades de {product} para uma obra. Podem enviar um orçamento com prazo de entrega? {company}"
        ),
        _ => format!(
            "Hello, we need {quantity} units of {product} for a project. Could you send a quote with the delivery time? {company}"
        ),
    }
}

/// A message of the conversation after the request.
pub(super) fn reply_text(random: &mut Random, from_seller: bool, product: &str) -> String {
    let days = 2 + random.below(20);
    if from_seller {
        format!(
            "Thank you for your request. The {product} ships in {days} days; our quote follows."
        )
    } else {
        format!(
            "Thanks. Can you do better on the price of the {product} for delivery within {days} days?"
        )
    }
}
